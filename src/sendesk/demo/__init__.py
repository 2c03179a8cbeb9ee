"""The demo school that ships with the app (`sendesk --demo`, `sendesk-cli demo`): an
encrypted database of invented pupils, clearly labelled, for a newcomer to explore at once.

One concept a module:
  school     create_demo_school and the builder of its pupils, families, SEN statuses, needs
             and registers (bulk inserts in one transaction)
  people     invented names, families and carers that cannot reach a real person
  pathways   Assess-Plan-Do-Review pathways and specialists, written through the repositories
  ehc        the EHC plans, annual reviews and the needs assessment requests behind them
  exams_and_stories  exam access arrangements (Years 10 and 11) and My Story accounts
  catalogue  what those records say (outcomes, provision, specialists' advice, a stand-in PDF)

It sits above the repositories (it writes through them) and below the command line and the
window, which call it. The 60,000-pupil synthetic school the benchmarks measure builds on
SchoolBuilder but lives in benchmarks/scale_school.py and is not shipped.
"""

from .school import DEMO_REFERENCE, DEMO_SCHOOL_NAME, SchoolBuilder, create_demo_school

__all__ = ["DEMO_REFERENCE", "DEMO_SCHOOL_NAME", "SchoolBuilder", "create_demo_school"]
