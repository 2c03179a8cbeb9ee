"""What the demo's invented SEND records say: SMART outcomes, costed provision and the
specialists each broad area of need most often involves, the reasons a session was missed,
who comes to reviews, and a one-page PDF to stand in for a specialist's report.

Shared by the demo school's pathways and by the benchmarks' synthetic school, so both read
the same as a real school's records would.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

# One provision item as the plan form takes it (description, delivered_by, rate, ...).
Item = dict[str, Any]

# Outcomes (text, measure) and provision by broad area of need.
OUTCOMES = {
    "CL": [("Read the first 100 high-frequency words", "90 of 100 words read correctly on two checks a week apart"),
           ("Blend and segment CVC words", "8 out of 10 unseen CVC words read and spelt correctly"),
           ("Recall multiplication facts for the 2, 5 and 10 times tables", "18 of 20 facts in a 3-minute check"),
           ("Write a paragraph of three linked sentences", "3 sentences with capital letters and full stops, without an adult prompt"),
           ("Use a number line to add and subtract within 20", "8 out of 10 questions correct independently"),
           ("Follow a visual task list to complete independent work", "completes 4 of 5 tasks independently on 4 days out of 5")],
    "CI": [("Use new topic vocabulary when talking about learning", "uses 5 taught words in sentences in class each half-term"),
           ("Retell a short story in sequence", "retells a 4-part story with 3 connectives"),
           ("Follow two-step instructions in class", "follows 4 of 5 two-step instructions without repetition"),
           ("Take turns in a small-group game", "takes turns for 10 minutes with 1 adult reminder at most"),
           ("Ask for help when stuck", "asks for help in 3 lessons a week without an adult prompt"),
           ("Cope with a change to the day's routine", "manages 4 of 5 planned changes using the visual timetable")],
    "SEMH": [("Use a calming strategy when upset", "uses a strategy from the toolkit on 4 of 5 occasions, noted by staff"),
             ("Come into class calmly at the start of the day", "settles within 5 minutes on 4 days out of 5"),
             ("Name feelings using the zones of regulation", "names the zone and a feeling in 8 of 10 check-ins"),
             ("Stay in the classroom for whole lessons", "stays for the whole lesson in 9 of 10 lessons"),
             ("Join a lunchtime club with peers", "attends twice a week for 6 weeks"),
             ("Repair after a falling-out with support", "takes part in a restorative chat within a day, every time")],
    "SP": [("Form letters correctly with a comfortable grip", "writes 20 letters correctly formed in a 5-minute task"),
           ("Move safely around school independently", "moves between 5 areas of school without adult support"),
           ("Use enlarged print resources independently", "requests enlarged resources in every lesson without prompting"),
           ("Dress and undress for PE within the time allowed", "ready within 10 minutes on 4 of 5 PE days"),
           ("Use a radio aid in every lesson", "uses the radio aid in 9 of 10 lessons, checked by staff"),
           ("Complete daily fine-motor exercises", "completes the 10-minute programme on 4 days out of 5")],
}

PROVISION: dict[str, list[Item]] = {
    "CL": [dict(description="Precision teaching of sight words", delivered_by="Teaching assistant",
                group_size=1, sessions_per_week=3, minutes=10, rate="19.50"),
           dict(description="Phonics catch-up group", delivered_by="Teaching assistant", group_size=4,
                sessions_per_week=4, minutes=20, rate="19.50"),
           dict(description="Maths intervention (Numicon)", delivered_by="Teaching assistant",
                group_size=3, sessions_per_week=2, minutes=30, rate="19.50"),
           dict(description="Reading programme licence", cost_basis="year", rate="45")],
    "CI": [dict(description="Word Aware vocabulary group", delivered_by="Teaching assistant",
                group_size=4, sessions_per_week=2, minutes=30, rate="19.50"),
           dict(description="Lego-based therapy", delivered_by="Teaching assistant", group_size=3,
                sessions_per_week=1, minutes=45, rate="19.50"),
           dict(description="Talk Boost language group", delivered_by="Teaching assistant",
                group_size=4, sessions_per_week=3, minutes=30, rate="19.50"),
           dict(description="Visual timetable and now/next boards", cost_basis="year", rate="30")],
    "SEMH": [dict(description="Daily check-in with a key adult", delivered_by="Learning mentor",
                  group_size=1, sessions_per_week=5, minutes=10, rate="21"),
             dict(description="Zones of Regulation group", delivered_by="Learning mentor",
                  group_size=4, sessions_per_week=1, minutes=45, rate="21"),
             dict(description="Nurture group", delivered_by="Nurture practitioner", group_size=6,
                  sessions_per_week=5, minutes=60, rate="24"),
             dict(description="Lunchtime club place", delivered_by="Midday supervisor",
                  group_size=8, sessions_per_week=2, minutes=40, rate="14")],
    "SP": [dict(description="Fine-motor skills group (Clever Hands)", delivered_by="Teaching assistant",
                group_size=4, sessions_per_week=3, minutes=15, rate="19.50"),
           dict(description="Sloping writing board and pencil grips", cost_basis="year", rate="35"),
           dict(description="Physiotherapy programme practice", delivered_by="Teaching assistant",
                group_size=1, sessions_per_week=3, minutes=20, rate="19.50"),
           dict(description="Enlarged print resources", delivered_by="Teaching assistant",
                group_size=1, sessions_per_week=5, minutes=15, rate="19.50")],
}

# The services each area most often involves, with a typical recommendation and the provision
# that carries it out.
SPECIALISTS: dict[str, list[tuple[str, str, Item]]] = {
    "CL": [("EP", "Cognitive assessment showed slow processing speed; teach with short, "
            "multi-sensory steps and overlearning.",
            dict(description="Multi-sensory overlearning programme",
                 delivered_by="Teaching assistant trained by the EP", group_size=1,
                 sessions_per_week=4, minutes=20, rate="19.50")),
           ("ST_CL", "Daily structured literacy intervention with precision monitoring.",
            dict(description="Structured literacy intervention",
                 delivered_by="Teaching assistant", group_size=2, sessions_per_week=5,
                 minutes=20, rate="19.50"))],
    "CI": [("SALT", "Daily 10-minute narrative therapy sessions to build story structure.",
            dict(description="Narrative therapy", delivered_by="Teaching assistant trained by SALT",
                 group_size=1, sessions_per_week=5, minutes=10, rate="19.50")),
           ("ST_AUTISM", "Structured teaching workstation for independent tasks, with a visual "
            "schedule.", dict(description="Workstation and visual schedule set-up",
                              cost_basis="year", rate="120"))],
    "SEMH": [("CAMHS", "Weekly sessions on anxiety management using the CBT-informed workbook.",
              dict(description="Anxiety management sessions",
                   delivered_by="Learning mentor", group_size=1, sessions_per_week=1,
                   minutes=45, rate="21")),
             ("EP", "Therapeutic story writing group to build emotional literacy.",
              dict(description="Therapeutic story writing group", delivered_by="Learning mentor",
                   group_size=4, sessions_per_week=1, minutes=60, rate="21"))],
    "SP": [("OT", "Daily sensory circuit before lessons.",
            dict(description="Sensory circuit", delivered_by="Teaching assistant", group_size=3,
                 sessions_per_week=5, minutes=15, rate="19.50")),
           ("PHYSIO", "Core stability programme three times a week.",
            dict(description="Core stability programme", delivered_by="Teaching assistant",
                 group_size=1, sessions_per_week=3, minutes=20, rate="19.50"))],
}

# Intensive support that takes a few pupils' costs near or over the notional threshold.
INTENSIVE: Item = dict(description="Additional adult support in class", delivered_by="Teaching assistant",
                 group_size=1, sessions_per_week=5, minutes=180, rate="19.50")
MISSED = ["Pupil absent", "Teaching assistant covering another class", "School trip",
          "Assessment week", "Pupil unwell"]
ADULTS = ["Class teacher", "SENCO", "Teaching assistant", "Learning mentor"]


@dataclass(frozen=True)
class Tool:
    """An assessment a school uses, the broad areas of need it looks at, the year groups it is
    standardised for (ranked as models.pupils.YEAR_RANK: Reception 0, nursery below) and the
    kind of result it gives."""

    name: str
    areas: frozenset[str]
    youngest: int
    oldest: int
    results: tuple[str, ...]

    def fits(self, area: str | None, rank: int) -> bool:
        return (area is None or area in self.areas) and self.youngest <= rank <= self.oldest


def _tool(name: str, areas: str, youngest: int, oldest: int, *results: str) -> Tool:
    return Tool(name, frozenset(areas.split()), youngest, oldest, results)


TOOLS = (
    _tool("Early years development check (Development Matters)", "CL CI SEMH SP", -2, 0,
          "Working well below the age band", "Working within an earlier age band"),
    _tool("WellComm speech and language screen", "CI", -2, 1, "Red: refer for specialist advice",
          "Amber: targeted support"),
    _tool("Phonics screening check", "CL CI", 1, 2, "14/40", "22/40", "27/40"),
    _tool("YARC reading assessment", "CL", 0, 11, "Standard score 76", "Standard score 81",
          "Reading accuracy below age expectations"),
    _tool("Sandwell early numeracy test", "CL", 0, 8, "Standard score 74", "Standard score 83"),
    _tool("Access reading test", "CL", 3, 14, "Standard score 79", "Reading age 2 years below"),
    _tool("BPVS-3 vocabulary scale", "CI CL", -1, 13, "Standard score 72", "Standard score 80",
          "Age equivalent 2 years below"),
    _tool("CELF-5 screening test", "CI", 1, 14, "Below the criterion for age",
          "Well below the criterion for age"),
    _tool("Boxall profile", "SEMH CI", -2, 14, "Diagnostic profile: difficulty with self-regulation",
          "Developmental strand below expected"),
    _tool("Strengths and difficulties questionnaire", "SEMH", -2, 12,
          "Total difficulties 19 (high)", "Total difficulties 23 (very high)"),
    _tool("Beery VMI", "SP", -2, 14, "Standard score 78", "Standard score 84"),
    _tool("Movement ABC-2 checklist", "SP", -1, 11, "Amber zone", "Red zone"),
)


def assessment_tool(rng: random.Random, area: str | None, rank: int) -> tuple[str, str]:
    """A tool that suits the area of need and the pupil's year, and one of its results."""
    rank = max(-2, min(rank, 14))
    suitable = [tool for tool in TOOLS if tool.fits(area, rank)] or \
        [tool for tool in TOOLS if tool.fits(None, rank)]
    tool = rng.choice(suitable)
    return tool.name, rng.choice(tool.results)


# Where leavers go: any pupil may move or be educated at home; secondary transfer is for the
# end of Year 6, college and apprenticeships from the end of Year 11 (ranks as YEAR_RANK).
ANY_AGE = ("Moved to another school in the area", "Moved away", "Elective home education")
AT_THE_END_OF = {"Secondary transfer": (6, 6), "Further education college": (11, 14),
                 "Apprenticeship": (11, 14)}


def destination_fits(destination: str, year_group: str) -> bool:
    if destination in ANY_AGE:
        return True
    span = AT_THE_END_OF.get(destination)
    rank = -2 if not year_group.isdigit() else int(year_group)
    return span is not None and span[0] <= rank <= span[1]


def destination(rng: random.Random, year_group: str) -> str:
    """A destination that fits the year group; one at the end of a phase is the likelier."""
    phase = [name for name in AT_THE_END_OF if destination_fits(name, year_group)]
    if phase and rng.random() < 0.6:
        return rng.choice(phase)
    return rng.choice(ANY_AGE)


def report_pdf(title: str) -> bytes:
    """A one-page PDF that says it is an invented demo report."""
    text = f"{title} - invented for the sendesk demo school".replace("(", "[").replace(")", "]")
    stream = f"BT /F1 12 Tf 50 780 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
