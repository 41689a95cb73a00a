"""Heelwise: heel-pain self-assessment, care plans, recovery tracking and clinic booking.

The packages ``heelwise.clinical`` (the clinical engine) and ``heelwise.parsers`` (activity-file
parsers) are pure Python and import no Django; everything else is the Django project.
"""

__version__ = "0.1.0"
