"""Invented people for the demo school: pupils with realistic, varied names from many
backgrounds, their families and their carers.

Names come from resources/demo_names.json and are combined at random, so no demo pupil is a
real child. Phone numbers use Ofcom's drama range (07700 900xxx), email addresses the reserved
example.org domain and postcodes the non-existent area LK, so none reaches a real person.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..resources import load_json


@dataclass
class Person:
    forename: str
    surname: str
    sex: str
    group: dict
    preferred_forename: str | None = None


@dataclass
class Family:
    """The contacts of one pupil, as rows ready to insert (without ids)."""

    contacts: list[dict] = field(default_factory=list)
    placement_address: str | None = None


class PeopleFactory:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        data = load_json("demo_names.json")
        self.groups = data["groups"]
        self.weights = [group["weight"] for group in self.groups]
        self.preferred = data["preferred"]
        self.streets = data["streets"]
        self.towns = data["towns"]

    def pupil(self) -> Person:
        rng = self.rng
        group = rng.choices(self.groups, self.weights)[0]
        sex = "U" if rng.random() < 0.003 else rng.choice("FM")
        names = group["female"] if sex == "F" else group["male"] if sex == "M" else \
            group["female"] + group["male"]
        forename = rng.choice(names)
        surname_group = group if rng.random() < 0.88 else rng.choices(self.groups, self.weights)[0]
        surname = rng.choice(surname_group["surnames"])
        preferred = self.preferred.get(forename) if rng.random() < 0.5 else None
        return Person(forename, surname, sex, group, preferred)

    def address(self) -> str:
        rng = self.rng
        return (f"{rng.randint(1, 180)} {rng.choice(self.streets)}\n{rng.choice(self.towns)}\n"
                f"LK{rng.randint(1, 9)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}")

    def phone(self) -> str:
        return f"07700 900{self.rng.randint(0, 999):03d}"

    def _adult(self, group: dict, sex: str, surname: str) -> str:
        return f"{self.rng.choice(group['female'] if sex == 'F' else group['male'])} {surname}"

    def _contact(self, name: str, relationship: str, pr: bool, address: str | None,
                 hidden: bool = False, email: bool = True) -> dict:
        local = name.split()[0].lower().encode("ascii", "ignore").decode() or "parent"
        # A title by relationship (no random draw, so the demo's people stay the same).
        title = {"Mother": "Mrs", "Father": "Mr", "Grandmother": "Mrs"}.get(relationship)
        return {"title": title, "name": name, "relationship": relationship,
                "parental_responsibility": int(pr),
                "address": address, "phone": self.phone(),
                "email": f"{local}{self.rng.randint(1, 999)}@example.org" if email else None,
                "do_not_disclose_address": int(hidden)}

    def family(self, pupil: Person, looked_after: bool, council: str) -> Family:
        rng = self.rng
        group, surname = pupil.group, pupil.surname
        if looked_after:
            placement = self.address()
            carer_group = rng.choices(self.groups, self.weights)[0]
            carer_surname = rng.choice(carer_group["surnames"])
            return Family([
                self._contact(f"{council} Children's Services", "Local authority (corporate parent)",
                              True, f"County Hall\n{self.towns[0]}\nLK1 1AA", email=False),
                self._contact(self._adult(group, "F", surname), "Mother", True, None),
                self._contact(self._adult(carer_group, "F", carer_surname), "Foster carer",
                              False, placement, hidden=True)], placement)
        home = self.address()
        shape = rng.random()
        mother = self._contact(self._adult(group, "F", surname), "Mother", True, home)
        father = self._contact(self._adult(group, "M", surname), "Father", True, home)
        if shape < 0.55:
            return Family([mother, father])
        if shape < 0.8:
            return Family([rng.choice([mother, mother, father])])
        if shape < 0.92:
            father["address"] = self.address()
            if rng.random() < 0.1:
                father["do_not_disclose_address"] = 1
            return Family([mother, father])
        grandparent = self._contact(self._adult(group, "F", surname), "Grandmother", False, home)
        return Family([mother, grandparent])
