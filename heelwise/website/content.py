"""Structured content for the heel-pain guide: the numbered reference list.

Keys are those of section 10 of the clinical reference (``R7``; ``R12a`` for one trial of a
grouped entry). The guide cites them with ``{% cite "R7" %}``; the list is numbered in the
order below, and a test checks that every entry is cited and every citation exists.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    key: str
    text: str
    url: str
    number: int = 0


_REFERENCES: list[tuple[str, str, str]] = [
    (
        "R3",
        "NICE Clinical Knowledge Summaries: plantar fasciitis (summary in GPonline).",
        "https://www.gponline.com/cks-clinical-solutions-plantar-fasciitis/pain/article/930263",
    ),
    (
        "R9",
        "Tu P, Bytomski JR. Diagnosis of heel pain. American Family Physician 2011;84(8):909-16.",
        "https://it.scribd.com/document/349579723/p909-pdf",
    ),
    (
        "R7",
        "Rathleff MS, Molgaard CM, Fredberg U, et al. High-load strength training improves "
        "outcome in patients with plantar fasciitis: a randomized controlled trial with 12-month "
        "follow-up. Scandinavian Journal of Medicine and Science in Sports 2015;25(3):e292-300.",
        "https://www.ncbi.nlm.nih.gov/pubmed/25145882",
    ),
    (
        "R17",
        "Hansen L, Krogh TP, Ellingsen T, Bolvig L, Fredberg U. Long-term prognosis of plantar "
        "fasciitis: a 5- to 15-year follow-up study of 174 patients with ultrasound "
        "examination. Orthopaedic Journal of Sports Medicine 2018;6(3):2325967118757983.",
        "https://portal.findresearcher.sdu.dk/en/publications/long-term-prognosis-of-plantar-"
        "fasciitis-a-5-to-15-year-follow-up",
    ),
    (
        "R34",
        "Mallia AJ, et al. Delayed recognition of pediatric calcaneal osteomyelitis. Journal of "
        "Medical Case Reports 2015;9:185.",
        "http://www.jmedicalcasereports.com/content/9/1/185",
    ),
    (
        "R41",
        "NICE guideline NG19. Diabetic foot problems: prevention and management.",
        "https://www.nice.org.uk/guidance/ng19/chapter/Recommendations",
    ),
    (
        "R36",
        "Acevedo JI, Beskin JL. Complications of plantar fascia rupture associated with "
        "corticosteroid injection. Foot and Ankle International 1994;15(7):376-81.",
        "https://pubmed.ncbi.nlm.nih.gov/7951973/",
    ),
    (
        "R27",
        "Mehra S, et al. Atypical presentation of gout: idiopathic retrocalcaneal pain in 400 "
        "patients. Journal of Clinical Orthopaedics 2024;9(2):58-62.",
        "https://jcorth.com/2024/12/10/atypical-presentation-of-gout-idiopathic-retrocalcaneal-"
        "pain-in-400-patients/",
    ),
    (
        "R32",
        "Wikimsk. Sever disease (calcaneal apophysitis).",
        "https://wikimsk.org/wiki/Sever_Disease_(Calcaneal_Apophysitis)",
    ),
    (
        "R26",
        "Ellison T, Saxena S. Tarsal tunnel syndrome: an overview. Austin Journal of "
        "Musculoskeletal Disorders 2015;2(3):1022.",
        "http://austinpublishinggroup.com/musculoskeletal-disorders/fulltext/ajmd-v2-id1022.php",
    ),
    (
        "R35",
        "Yedon DF, Howitt S. Heel pain due to psoriatic arthritis in a 50 year old recreational "
        "male athlete. Journal of the Canadian Chiropractic Association 2011;55(4):288-93.",
        "https://docslib.org/doc/11613066/",
    ),
    (
        "R24",
        "Corwell B. Calcaneal stress fractures. University of Maryland Emergency Medicine "
        "educational pearl, 2015.",
        "https://em.umaryland.edu/educational_pearls/2683/",
    ),
    (
        "R5",
        "Welck M. Plantar fasciitis: information for GPs.",
        "https://matthewwelck.com/?p=5240",
    ),
    (
        "R2",
        "Martin RL, Davenport TE, Reischl SF, et al. Heel pain - plantar fasciitis: revision "
        "2014. Journal of Orthopaedic and Sports Physical Therapy 2014;44(11):A1-33.",
        "https://doi.org/10.2519/jospt.2014.0303",
    ),
    (
        "R6",
        "NHS Tayside referral guidance: plantar heel pain.",
        "https://www.rightdecisions.scot.nhs.uk/nhs-tayside-refguide/surgery-and-orthopaedics/"
        "orthopaedic-and-trauma-surgery/foot-and-ankle-service/plantar-heel-pain/",
    ),
    (
        "R31",
        "American Physical Therapy Association. Clinical summary: Achilles tendinitis and "
        "tendinopathy.",
        "https://www.apta.org/patient-care/evidence-based-practice-resources/clinical-summaries/"
        "achilles-tendinitistendinopathy",
    ),
    (
        "R28",
        "Clinics in diagnostic imaging (205): Baxter's neuropathy. Singapore Medical Journal.",
        "http://www.smj.org.sg/article/clinics-diagnostic-imaging-205",
    ),
    (
        "R29",
        "Balius R, et al. Heel fat pad syndrome beyond acute plantar fasciitis. The Foot 2021.",
        "https://doi.org/10.1016/j.foot.2021.101829",
    ),
    (
        "R8",
        "Silbernagel KG, Thomee R, Eriksson BI, Karlsson J. Continued sports activity, using a "
        "pain-monitoring model, during rehabilitation in patients with Achilles tendinopathy. "
        "American Journal of Sports Medicine 2007;35:897-906 (summary).",
        "https://bim.physio/the-pain-monitoring-model/",
    ),
    (
        "R30",
        "Nielsen RO, et al. Excessive progression in weekly running distance and risk of "
        "running-related injuries: an association which varies according to type of injury. "
        "Journal of Orthopaedic and Sports Physical Therapy 2014;44(10):739-47 (summary).",
        "https://faithfulhandsmsk.care/excessive-progression-in-weekly-running-distance-and-"
        "risk-of-running-related-injuries-an-association-which-varies-according-to-type-of-"
        "injury",
    ),
    (
        "R42",
        "Do I really need new running shoes? Commentary on shoe replacement and injury.",
        "http://www.nycustompt.com/blog-nycustompt/2018/2/15/do-i-really-need-new-shoes",
    ),
    (
        "R11",
        "Whittaker GA, Munteanu SE, Menz HB, et al. Corticosteroid injection for plantar heel "
        "pain: a systematic review and meta-analysis. BMC Musculoskeletal Disorders "
        "2019;20:378.",
        "https://bmcmusculoskeletdisord.biomedcentral.com/articles/10.1186/s12891-019-2749-z",
    ),
    (
        "R10",
        "David JA, Sankarapandian V, Christopher PR, et al. Injected corticosteroids for "
        "treating plantar heel pain in adults. Cochrane Database of Systematic Reviews 2017.",
        "https://cochranelibrary.com/cdsr/doi/10.1002/14651858.CD009348.pub2/full",
    ),
    (
        "R4",
        "Thomas JL, Christensen JC, Kravitz SR, et al. The diagnosis and treatment of heel "
        "pain: a clinical practice guideline, revision 2010. Journal of Foot and Ankle Surgery "
        "2010;49(3 Suppl):S1-19.",
        "http://spotidoc.com/doc/67720/the-diagnosis-and-treatment-of-heel-pain-a-clinical-pract..",
    ),
    (
        "R12b",
        "Ersen O, et al. Randomized controlled trial of prolotherapy injections in the "
        "treatment of plantar fasciitis. Turkish Journal of Physical Medicine and "
        "Rehabilitation 2018;64(1):59-65.",
        "https://pmc.ncbi.nlm.nih.gov/articles/PMC6709612/",
    ),
    (
        "R12c",
        "Umay Altas E, Askin A, Tosun A. Is hypertonic dextrose injection effective in the "
        "treatment of plantar fasciitis? A randomized controlled trial.",
        "https://www.researchgate.net/publication/330384132",
    ),
    (
        "R12a",
        "Kim E, Lee JH. Autologous platelet-rich plasma versus dextrose prolotherapy for the "
        "treatment of chronic recalcitrant plantar fasciitis. PM&R 2014;6(2):152-8.",
        "https://www.scribd.com/document/540291400/proloterapia-vs-PRP-en-fascitis-plantar",
    ),
    (
        "R13",
        "Fullem B. Case studies in treating chronic plantar fasciitis. Podiatry Today, "
        "November 2013.",
        "https://hmpgloballearningnetwork.com/site/podiatry/case-studies-treating-chronic-"
        "plantar-fasciitis",
    ),
    (
        "R16",
        "Wolgin M, Cook C, Graham C, Mauldin D. Conservative treatment of plantar heel pain: "
        "long-term follow-up. Foot and Ankle International 1994;15(3):97-102.",
        "https://pubmed.ncbi.nlm.nih.gov/7951946/",
    ),
]

REFERENCES: list[Reference] = [
    Reference(key, text, url, number) for number, (key, text, url) in enumerate(_REFERENCES, 1)
]
REFERENCE_BY_KEY: dict[str, Reference] = {ref.key: ref for ref in REFERENCES}
