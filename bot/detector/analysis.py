"""Everything the detector reads off a message before the classifier scores it.

The same ``Analysis`` feeds the Verdict (flags with evidence, entities, language, intent) and the
classifier's features, so training and serving see exactly the same signals.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.detector.entities import Entities, extract_entities
from bot.detector.language import detect_language
from bot.detector.lexicon import FLAG_CODES, INTENT_CODES, lexicon
from bot.detector.normalize import Normalised, light_normalise, normalise
from bot.detector.verdict import Flag
from bot.knowledge.places import gazetteer

__all__ = ["Analysis", "analyse", "ALL_FLAG_CODES", "decide_intent"]

# Flags computed in code rather than from lexicons.
DERIVED_FLAGS = ("hotspot_location", "salary_amount")
ALL_FLAG_CODES = FLAG_CODES + DERIVED_FLAGS

# An offered wage this many times the normal entry-level wage of its currency's country is "far above".
SALARY_MULTIPLE = 2.5
# Signs that the work is the low-skill desk work the lure promises, for the salary comparison.
_LOW_SKILL_CONTEXT = frozenset({"desk_job", "no_experience", "overseas_job", "hotspot_location", "high_pay",
                                "task_scam", "odd_requirements"})
# Signs strong enough that two of them make a message a job offer even without job vocabulary.
_LURE_SIGNS = frozenset({"high_pay", "salary_amount", "free_travel", "overseas_job", "hotspot_location", "desk_job",
                         "no_experience", "tourist_visa", "border_crossing", "upfront_fee", "task_scam",
                         "money_mule", "grey_work"})


@dataclass(slots=True)
class Analysis:
    original: str
    norm: Normalised
    entities: Entities
    language: str
    flags: list[Flag]
    flag_counts: dict[str, int]
    intent_counts: dict[str, int]
    places: list[str] = field(default_factory=list)  # ids of places named

    @property
    def text(self) -> str:
        return self.norm.text


def _flag(norm: Normalised, code: str, start: int, end: int) -> Flag:
    s, e = norm.span(start, end)
    return Flag(code, norm.original[s:e], s, e)


def _salary_flag(ent: Entities, flag_codes: set[str]) -> tuple[int, str] | None:
    if not flag_codes & _LOW_SKILL_CONTEXT:
        return None
    for a in ent.amounts:
        multiple = a.wage_multiple
        if multiple is not None and multiple >= SALARY_MULTIPLE and a.usd_month >= 500:  # type: ignore[operator]
            return (a.usd_month, a.text)  # type: ignore[return-value]
    return None


def analyse(text: str) -> Analysis:
    norm = normalise(text)
    light = light_normalise(text)
    ent = extract_entities(light)
    first: dict[str, tuple[int, int]] = {}
    flag_counts: dict[str, int] = {}
    intent_counts: dict[str, int] = {}
    for hit in lexicon().scan(norm.text):
        if hit.code in INTENT_CODES:
            intent_counts[hit.code] = intent_counts.get(hit.code, 0) + 1
            continue
        flag_counts[hit.code] = flag_counts.get(hit.code, 0) + 1
        if hit.code not in first or hit.start < first[hit.code][0]:
            first[hit.code] = (hit.start, hit.end)
    places: list[str] = []
    for pm in gazetteer().find(norm.text):
        places.append(pm.place.id)
        if pm.place.kind == "hotspot":
            flag_counts["hotspot_location"] = flag_counts.get("hotspot_location", 0) + 1
            first.setdefault("hotspot_location", (pm.start, pm.end))
    flags = [_flag(norm, code, s, e) for code, (s, e) in first.items()]
    salary = _salary_flag(ent, set(first))
    if salary is not None:
        flag_counts["salary_amount"] = 1
        usd, amount_text = salary
        pos = text.find(amount_text)
        flags.append(Flag("salary_amount", amount_text, max(pos, 0), max(pos, 0) + len(amount_text)))
    flags.sort(key=lambda f: (f.start, f.code))
    return Analysis(text, norm, ent, detect_language(text), flags, flag_counts, intent_counts, places)


def decide_intent(a: Analysis) -> str:
    """What the writer wants: a verdict on an offer, help for someone held, contacts, an answer, or nothing."""
    ic = a.intent_counts
    lure = sum(1 for code in a.flag_counts if code in _LURE_SIGNS)
    if ic.get("detention_report"):
        return "detention_report"
    if ic.get("job_offer") or lure >= 2:
        return "job_offer"
    if ic.get("contacts_request"):
        return "contacts_request"
    if ic.get("question"):
        return "question"
    if lure >= 1 or a.entities.amounts:
        return "job_offer"
    return "other"
