#!/usr/bin/env python3
"""Check the blind held-out sets in this folder against SCHEMA.md beside them.

Usage: python3 check.py            (exit code 0 = all checks pass)
"""
import os
import re
import sys
from collections import Counter

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = os.environ.get("SCHEMA_MD", os.path.join(HERE, "SCHEMA.md"))
VIGNETTES = os.path.join(HERE, "vignettes.yml")
EXTRACTION = os.path.join(HERE, "extraction.yml")

errors = []


def err(msg):
    errors.append(msg)


# ------------------------------------------------------------------ schema
# Each section of the schema whose head starts so, and the pattern of the id at a line's start.
SECTION_IDS = {"assertions": r"^([a-z_]+)\s{2,}", "cause ids": r"^([a-z_]+): ",
               "urgency levels": r"^([a-z_0-9]+)\s{2,}"}


def parse_schema(path):
    text = open(path, encoding="utf-8").read()
    sections = re.split(r"^## ", text, flags=re.M)
    finding_ids, red_flags = [], set()
    ids = {head: [] for head in SECTION_IDS}
    for sec in sections:
        head = sec.split("\n", 1)[0].lower()
        body = sec.split("\n", 1)[1] if "\n" in sec else ""
        if head.startswith("finding ids"):
            for line in body.splitlines():
                m = re.match(r"^([a-z0-9_]+): .*\[(.*)\]\s*$", line)
                if m:
                    finding_ids.append(m.group(1))
                    if "RED FLAG" in m.group(2):
                        red_flags.add(m.group(1))
        for start, pattern in SECTION_IDS.items():
            if head.startswith(start):
                ids[start] += [m.group(1) for line in body.splitlines() if (m := re.match(pattern, line))]
    assertions, causes, levels = ids["assertions"], ids["cause ids"], ids["urgency levels"]
    return finding_ids, red_flags, assertions, causes, levels


FINDINGS, RED_FLAGS, ASSERTIONS, CAUSES, LEVELS = parse_schema(SCHEMA)
for name, lst in [("finding ids", FINDINGS), ("assertions", ASSERTIONS), ("causes", CAUSES), ("levels", LEVELS)]:
    if not lst:
        err("could not parse %s from %s" % (name, SCHEMA))
EMERGENCY = {"emergency", "emergency_ambulance"}
ANSWER_VALUES = {"yes", "no", "not sure"}
SIDES = {"left", "right", "both", "one"}
ONSETS = {"sudden", "gradual"}

# ------------------------------------------------------------------ vignettes
V_REQUIRED = ["id", "typed_by", "style", "expected_causes", "expected_triage", "red_flag",
              "denies_red_flags", "opening", "answers", "facts", "default"]
V_ALLOWED = set(V_REQUIRED) | {"volunteer", "later"}
ANSWER_KEYS = {"age_sex", "side", "onset", "duration", "new"}

vdoc = yaml.safe_load(open(VIGNETTES, encoding="utf-8"))
if not isinstance(vdoc, dict) or not isinstance(vdoc.get("vignettes"), list):
    err("vignettes.yml: top key 'vignettes:' with a list is required")
    vignettes = []
else:
    vignettes = vdoc["vignettes"]

seen = set()
n_facts = n_says = 0
for i, v in enumerate(vignettes):
    where = "vignette %d (%s)" % (i, v.get("id") if isinstance(v, dict) else "?")
    if not isinstance(v, dict):
        err(where + ": not a mapping")
        continue
    for k in V_REQUIRED:
        if k not in v:
            err("%s: missing key %s" % (where, k))
    for k in v:
        if k not in V_ALLOWED:
            err("%s: unknown key %s" % (where, k))
    vid = v.get("id")
    if not isinstance(vid, str) or not re.fullmatch(r"[a-z0-9_]+", vid or ""):
        err(where + ": id must be snake_case")
    if vid in seen:
        err(where + ": duplicate id")
    seen.add(vid)
    if v.get("typed_by") not in ("patient", "caregiver"):
        err(where + ": typed_by must be patient|caregiver")
    ec = v.get("expected_causes")
    if not isinstance(ec, list) or not ec:
        err(where + ": expected_causes must be a non-empty list")
    else:
        for c in ec:
            if c not in CAUSES:
                err("%s: unknown cause %r" % (where, c))
        if len(set(ec)) != len(ec):
            err(where + ": repeated cause")
        if "no_good_fit" in ec and ec[0] != "no_good_fit" and len(ec) > 2:
            err(where + ": no_good_fit mixed oddly")
    if v.get("expected_triage") not in LEVELS:
        err("%s: unknown triage %r" % (where, v.get("expected_triage")))
    for b in ("red_flag", "denies_red_flags"):
        if not isinstance(v.get(b), bool):
            err("%s: %s must be a boolean" % (where, b))
    if v.get("red_flag") is True and v.get("expected_triage") not in EMERGENCY:
        err(where + ": red_flag true but triage is not an emergency level")
    if v.get("denies_red_flags") is True and v.get("expected_triage") in EMERGENCY:
        err(where + ": denies_red_flags true but triage is an emergency level")
    if v.get("red_flag") is True and v.get("denies_red_flags") is True:
        err(where + ": red_flag and denies_red_flags both true")
    if not isinstance(v.get("opening"), str) or not v.get("opening", "").strip():
        err(where + ": opening must be a non-empty string")
    ans = v.get("answers")
    if not isinstance(ans, dict):
        err(where + ": answers must be a mapping")
    else:
        for k, a in ans.items():
            if k not in ANSWER_KEYS:
                err("%s: unknown answers key %s" % (where, k))
            if not isinstance(a, str) or not a.strip():
                err("%s: answers.%s must be a non-empty string" % (where, k))
    facts = v.get("facts")
    if not isinstance(facts, list):
        err(where + ": facts must be a list")
        facts = []
    for j, f in enumerate(facts):
        fw = "%s fact %d" % (where, j)
        if not isinstance(f, dict):
            err(fw + ": not a mapping")
            continue
        for k in f:
            if k not in ("about", "answer", "says"):
                err("%s: unknown key %s" % (fw, k))
        ab = f.get("about")
        if not isinstance(ab, list) or not ab or not all(isinstance(x, str) and x and x == x.lower() for x in ab):
            err(fw + ": about must be a non-empty list of lower-case strings")
        if not isinstance(f.get("answer"), str) or f.get("answer") not in ANSWER_VALUES:
            err("%s: answer must be the string yes/no/not sure, got %r" % (fw, f.get("answer")))
        if "says" in f:
            if not isinstance(f["says"], str) or not f["says"].strip():
                err(fw + ": says must be a non-empty string")
            else:
                n_says += 1
        n_facts += 1
    if not isinstance(v.get("default"), str) or v.get("default") not in ANSWER_VALUES:
        err("%s: default must be the string yes/no/not sure, got %r" % (where, v.get("default")))
    vol = v.get("volunteer", [])
    if not isinstance(vol, list) or not all(isinstance(x, str) for x in vol):
        err(where + ": volunteer must be a list of strings")
    later = v.get("later", [])
    if not isinstance(later, list):
        err(where + ": later must be a list")
    else:
        for l in later:
            if not (isinstance(l, dict) and isinstance(l.get("after_answers"), int)
                    and isinstance(l.get("text"), str) and set(l) == {"after_answers", "text"}):
                err(where + ": later items need after_answers (int) and text (str)")

# ------------------------------------------------------------------ extraction
edoc = yaml.safe_load(open(EXTRACTION, encoding="utf-8"))
if not isinstance(edoc, dict) or not isinstance(edoc.get("cases"), list):
    err("extraction.yml: top key 'cases:' with a list is required")
    cases = []
else:
    cases = edoc["cases"]

# category tags are YAML comments ('# tags: a, b') just above each '- text:'
tag_lines = []
pending = None
for line in open(EXTRACTION, encoding="utf-8"):
    m = re.match(r"^\s*#\s*tags:\s*(.*)$", line)
    if m:
        pending = [t.strip() for t in m.group(1).split(",") if t.strip()]
    elif re.match(r"^\s*- text:", line):
        tag_lines.append(pending or [])
        pending = None
if len(tag_lines) != len(cases):
    err("extraction.yml: %d tag comments for %d cases" % (len(tag_lines), len(cases)))
KNOWN_TAGS = {"ordinary", "negated", "historical", "caregiver", "typos", "nonnative", "hedged",
              "redflag_indirect", "caps", "other"}

used_ids = Counter()
cat = Counter()
texts = set()
for i, c in enumerate(cases):
    where = "case %d" % i
    if not isinstance(c, dict):
        err(where + ": not a mapping")
        continue
    for k in c:
        if k not in ("text", "symptoms", "side", "onset"):
            err("%s: unknown key %s" % (where, k))
    t = c.get("text")
    if not isinstance(t, str) or not t.strip():
        err(where + ": text must be a non-empty string")
    elif t in texts:
        err(where + ": duplicate text")
    texts.add(t)
    syms = c.get("symptoms")
    if not isinstance(syms, list) or not syms:
        err(where + ": symptoms must be a non-empty list")
        syms = []
    ids_here = []
    for s in syms:
        if not isinstance(s, dict) or set(s) != {"id", "assertion"}:
            err("%s: symptom entries need exactly id and assertion: %r" % (where, s))
            continue
        if s["id"] not in FINDINGS:
            err("%s: unknown finding id %r" % (where, s["id"]))
        if s["assertion"] not in ASSERTIONS:
            err("%s: unknown assertion %r" % (where, s["assertion"]))
        ids_here.append(s["id"])
        used_ids[s["id"]] += 1
    if len(ids_here) != len(set(ids_here)):
        err("%s: the same id appears twice: %r" % (where, t))
    if "side" in c and c["side"] not in SIDES:
        err("%s: bad side %r" % (where, c["side"]))
    if "onset" in c and c["onset"] not in ONSETS:
        err("%s: bad onset %r" % (where, c["onset"]))
    tags = tag_lines[i] if i < len(tag_lines) else []
    for tg in tags:
        if tg not in KNOWN_TAGS:
            err("%s: unknown tag %r" % (where, tg))
    asserts = {s.get("assertion") for s in syms if isinstance(s, dict)}
    # derived categories (from the annotation itself)
    if "absent" in asserts:
        cat["negated (has an absent finding)"] += 1
    if "historical" in asserts:
        cat["historical (has a historical finding)"] += 1
    if "possible" in asserts:
        cat["has a possible finding"] += 1
    if "other_person" in asserts or "other" in tags:
        cat["other person / family"] += 1
    if "negated" in tags and "absent" not in asserts:
        err(where + ": tagged negated but no absent finding")
    if "historical" in tags and "historical" not in asserts:
        err(where + ": tagged historical but no historical finding")
    if "redflag_indirect" in tags:
        if not any(isinstance(s, dict) and s.get("id") in RED_FLAGS and s.get("assertion") in ("present", "possible")
                   for s in syms):
            err(where + ": tagged redflag_indirect but no present/possible red flag")
    for tg in ("caregiver", "typos", "nonnative", "hedged", "redflag_indirect", "caps", "ordinary"):
        if tg in tags:
            cat[tg] += 1

# ------------------------------------------------------------------ minimums
def need(label, value, minimum):
    ok = value >= minimum
    if not ok:
        err("minimum not met: %s = %s < %s" % (label, value, minimum))
    return value


nv = len(vignettes)
prim = Counter(v["expected_causes"][0] for v in vignettes if isinstance(v, dict) and v.get("expected_causes"))
anyc = Counter(c for v in vignettes if isinstance(v, dict) for c in (v.get("expected_causes") or []))
triage = Counter(v.get("expected_triage") for v in vignettes if isinstance(v, dict))
typed = Counter(v.get("typed_by") for v in vignettes if isinstance(v, dict))
nrf = sum(1 for v in vignettes if isinstance(v, dict) and v.get("red_flag") is True)
nden = sum(1 for v in vignettes if isinstance(v, dict) and v.get("denies_red_flags") is True
           and v.get("expected_triage") not in EMERGENCY)
nngf = sum(1 for v in vignettes if isinstance(v, dict) and v.get("expected_causes") == ["no_good_fit"])
defaults = Counter(v.get("default") for v in vignettes if isinstance(v, dict))

need("vignettes", nv, 84)
for c in CAUSES:
    need("vignettes whose first cause is %s" % c, prim.get(c, 0), 5)
need("red_flag: true", nrf, 18)
need("denies_red_flags: true (non-emergency)", nden, 10)
need("expected_causes == [no_good_fit]", nngf, 5)
need("caregiver vignettes x3", typed.get("caregiver", 0) * 3, nv)
need("facts with says x2", n_says * 2, n_facts)

need("extraction cases", len(cases), 210)
need("negated", cat["negated (has an absent finding)"], 40)
need("historical", cat["historical (has a historical finding)"], 30)
need("caregiver", cat["caregiver"], 30)
need("typos", cat["typos"], 25)
need("nonnative", cat["nonnative"], 20)
need("hedged", cat["hedged"], 20)
need("redflag_indirect", cat["redflag_indirect"], 20)
need("caps", cat["caps"], 15)
unused = [f for f in FINDINGS if used_ids[f] == 0]
if unused:
    err("finding ids never used in extraction.yml: %s" % ", ".join(unused))

# ------------------------------------------------------------------ report
print("SCHEMA: %d finding ids (%d red flags), %d assertions, %d causes, %d levels"
      % (len(FINDINGS), len(RED_FLAGS), len(ASSERTIONS), len(CAUSES), len(LEVELS)))
print("\nVIGNETTES: %d" % nv)
print("  first cause:", dict(sorted(prim.items())))
print("  any cause:  ", dict(sorted(anyc.items())))
print("  triage:     ", dict(sorted(triage.items())))
print("  typed_by:   ", dict(typed))
print("  red_flag true: %d   denies_red_flags true (non-emergency): %d   [no_good_fit] only: %d" % (nrf, nden, nngf))
print("  defaults:   ", dict(defaults))
print("  facts: %d, with says: %d (%.0f%%)" % (n_facts, n_says, 100.0 * n_says / max(n_facts, 1)))
print("\nEXTRACTION: %d cases" % len(cases))
for k in sorted(cat):
    print("  %-40s %d" % (k, cat[k]))
print("  finding ids used: %d / %d (least used: %s)" % (
    sum(1 for f in FINDINGS if used_ids[f]), len(FINDINGS),
    ", ".join("%s=%d" % (f, used_ids[f]) for f in sorted(FINDINGS, key=lambda f: used_ids[f])[:5])))
ac = Counter(s["assertion"] for c in cases if isinstance(c, dict) for s in (c.get("symptoms") or []) if isinstance(s, dict))
print("  assertions:", dict(ac))

if errors:
    print("\nFAILED: %d problem(s)" % len(errors))
    for e in errors:
        print("  -", e)
    sys.exit(1)
print("\nOK: all checks pass")
