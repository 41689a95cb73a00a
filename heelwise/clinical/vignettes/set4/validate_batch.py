"""Validate one batch-4 file: python /work/batch4/validate.py /work/batch4/<group>.json"""
import json, sys
sys.path.insert(0, "/work/main/heelwise/clinical/vignettes")
sys.path.insert(0, "/work/main")
import check_vignettes as cv
cases = json.load(open(sys.argv[1]))
bad = 0
for c in cases:
    probs = cv.check_case(c)
    n = len(c.get("request", {}).get("findings", {}))
    if "age" not in c.get("request", {}).get("patient", {}):
        probs.append(f"{c.get('id')}: no age")
    if n < 5:
        probs.append(f"{c.get('id')}: only {n} findings (criterion 4 needs 5)")
    for p in probs:
        print(p); bad += 1
print(f"{len(cases)} cases, {bad} problems")
sys.exit(1 if bad else 0)
