#!/usr/bin/env python3
"""Checks /work/heldout/vignettes.yml and extraction.yml against SCHEMA.md and the brief's minimums."""
import re, sys, os, collections
import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
schema = open(os.path.join(HERE, "SCHEMA.md")).read()

def section(title):
    m = re.search(r"^## " + re.escape(title) + r".*?$(.*?)(?=^## |\Z)", schema, re.S | re.M)
    return m.group(1)

FINDINGS = {}
for line in section("Finding ids").splitlines():
    m = re.match(r"^([a-z_]+): .*\[(symptom|history|pattern)(, RED FLAG)?\]\s*$", line)
    if m:
        FINDINGS[m.group(1)] = bool(m.group(3))
ASSERTIONS = {m.group(1) for m in re.finditer(r"^([a-z_]+)\s{2,}", section("Assertions"), re.M)}
CAUSES = {m.group(1) for m in re.finditer(r"^([a-z_]+): ", section("Cause ids"), re.M)}
LEVELS = [m.group(1) for m in re.finditer(r"^([a-z_0-9]+)\s{2,}", section("Urgency levels"), re.M)]
assert len(FINDINGS) > 80 and len(CAUSES) == 12 and len(LEVELS) == 5 and len(ASSERTIONS) == 5, \
    (len(FINDINGS), CAUSES, LEVELS, ASSERTIONS)
EMERG = {"emergency", "emergency_ambulance"}
# urgency of each cause as given by the pages / SCHEMA.md (RLS: page silent, consultation by clinical sense;
# temporary_compression: self care when it resolves quickly)
CAUSE_URGENCY = {"stroke_tia": "emergency_ambulance", "restless_legs_syndrome": "consultation",
                 "peripheral_arterial_disease": "consultation", "multiple_sclerosis": "consultation",
                 "herniated_disk": "consultation", "fibular_nerve_injury": "self_care",
                 "fibromyalgia": "consultation", "diabetic_neuropathy": "consultation_24",
                 "idiopathic_peripheral_neuropathy": "consultation", "vertebral_osteomyelitis": "emergency",
                 "temporary_compression": "self_care", "no_good_fit": None}

errors, notes = [], []
def err(msg): errors.append(msg)

# ------------------------------------------------------------------ vignettes
vpath = os.path.join(HERE, "vignettes.yml")
vraw = open(vpath).read()
vdoc = yaml.safe_load(vraw)
V = vdoc.get("vignettes") if isinstance(vdoc, dict) else None
if not isinstance(V, list):
    err("vignettes.yml: top key 'vignettes' must be a list"); V = []
vlines = vraw.splitlines()

REQ = ["id", "typed_by", "style", "expected_causes", "expected_triage", "red_flag", "denies_red_flags",
       "opening", "answers", "facts", "default"]
OPT = {"volunteer", "later"}
ANSWER_KEYS = {"age_sex", "side", "onset", "duration", "new"}
YNS = {"yes", "no", "not sure"}
ids = set()
n_facts = n_says = 0
commented_mismatch = 0
for v in V:
    vid = v.get("id", "?")
    for k in REQ:
        if k not in v: err(f"{vid}: missing key {k}")
    for k in v:
        if k not in REQ and k not in OPT: err(f"{vid}: unknown key {k}")
    if not re.fullmatch(r"[a-z0-9_]+", str(vid)): err(f"{vid}: id not snake_case")
    if vid in ids: err(f"{vid}: duplicate id")
    ids.add(vid)
    if v.get("typed_by") not in ("patient", "caregiver"): err(f"{vid}: bad typed_by")
    if not isinstance(v.get("style"), str): err(f"{vid}: style must be text")
    ec = v.get("expected_causes")
    if not isinstance(ec, list) or not ec: err(f"{vid}: expected_causes must be a non-empty list")
    else:
        for c in ec:
            if c not in CAUSES: err(f"{vid}: unknown cause {c}")
        if "no_good_fit" in ec and ec[0] != "no_good_fit" and len(ec) > 1 and ec[-1] != "no_good_fit":
            err(f"{vid}: no_good_fit placed oddly")
    t = v.get("expected_triage")
    if t not in LEVELS: err(f"{vid}: bad triage {t}")
    rf, dn = v.get("red_flag"), v.get("denies_red_flags")
    if not isinstance(rf, bool) or not isinstance(dn, bool): err(f"{vid}: red_flag/denies_red_flags must be booleans")
    if rf and t not in EMERG: err(f"{vid}: red flag but triage {t}")
    if dn and t in EMERG: err(f"{vid}: denies red flags but triage {t}")
    if rf and dn: err(f"{vid}: red_flag and denies_red_flags both true")
    if not isinstance(v.get("opening"), str) or not v.get("opening", "").strip(): err(f"{vid}: empty opening")
    ans = v.get("answers")
    if not isinstance(ans, dict): err(f"{vid}: answers must be a mapping")
    else:
        for k, a in ans.items():
            if k not in ANSWER_KEYS: err(f"{vid}: unknown answers key {k}")
            if not isinstance(a, str): err(f"{vid}: answers.{k} must be a string")
    facts = v.get("facts")
    if not isinstance(facts, list) or len(facts) < 3: err(f"{vid}: needs at least 3 facts")
    else:
        for f in facts:
            n_facts += 1
            ab = f.get("about")
            if not isinstance(ab, list) or not ab or not all(isinstance(x, str) and x == x.lower() and x.strip() for x in ab):
                err(f"{vid}: fact about must be a list of lower-case strings: {ab}")
            if not isinstance(f.get("answer"), str) or f.get("answer") not in YNS:
                err(f"{vid}: fact answer must be the string yes/no/not sure, got {f.get('answer')!r}")
            if "says" in f:
                n_says += 1
                if not isinstance(f["says"], str): err(f"{vid}: says must be a string")
            for k in f:
                if k not in ("about", "answer", "says"): err(f"{vid}: unknown fact key {k}")
    if not isinstance(v.get("default"), str) or v.get("default") not in ("no", "not sure"):
        err(f"{vid}: default must be 'no' or 'not sure'")
    for l in v.get("later", []) or []:
        if not isinstance(l, dict) or not isinstance(l.get("after_answers"), int) or not isinstance(l.get("text"), str):
            err(f"{vid}: bad later entry {l}")
    for x in v.get("volunteer", []) or []:
        if not isinstance(x, str): err(f"{vid}: volunteer items must be strings")
    # triage differing from the primary cause's page urgency must carry a YAML comment (or be a red-flag case)
    if isinstance(ec, list) and ec and not rf:
        exp = CAUSE_URGENCY.get(ec[0])
        if exp != t:
            idx = next((i for i, l in enumerate(vlines) if re.match(rf"\s*- id: {re.escape(str(vid))}\s*$", l)), None)
            j, has_comment = (idx or 0) - 1, False
            while idx is not None and j >= 0 and vlines[j].strip().startswith("#"):
                has_comment = True; j -= 1
            if not has_comment: err(f"{vid}: triage {t} differs from {ec[0]} urgency {exp} without a YAML comment")
            else: commented_mismatch += 1

# ------------------------------------------------------------------ extraction
epath = os.path.join(HERE, "extraction.yml")
eraw = open(epath).read()
edoc = yaml.safe_load(eraw)
X = edoc.get("cases") if isinstance(edoc, dict) else None
if not isinstance(X, list):
    err("extraction.yml: top key 'cases' must be a list"); X = []
tags = [l.split(":", 1)[1].split() for l in eraw.splitlines() if l.strip().startswith("# tags:")]
if len(tags) != len(X): err(f"extraction: {len(tags)} tag comments for {len(X)} cases")
used = collections.Counter()
cat = collections.Counter()
for i, c in enumerate(X):
    where = f"extraction[{i}] {str(c.get('text'))[:40]!r}"
    for k in c:
        if k not in ("text", "symptoms", "side", "onset"): err(f"{where}: unknown key {k}")
    if not isinstance(c.get("text"), str) or not c["text"].strip(): err(f"{where}: text missing")
    syms = c.get("symptoms")
    if not isinstance(syms, list): err(f"{where}: symptoms must be a list"); syms = []
    seen = set()
    for s in syms:
        if not isinstance(s, dict) or set(s) != {"id", "assertion"}: err(f"{where}: bad symptom entry {s}"); continue
        if s["id"] not in FINDINGS: err(f"{where}: unknown id {s['id']}")
        if s["assertion"] not in ASSERTIONS: err(f"{where}: unknown assertion {s['assertion']}")
        if s["id"] in seen: err(f"{where}: id {s['id']} annotated twice")
        seen.add(s["id"]); used[s["id"]] += 1
    if "side" in c and c["side"] not in ("left", "right", "both", "one"): err(f"{where}: bad side {c['side']}")
    if "onset" in c and c["onset"] not in ("sudden", "gradual"): err(f"{where}: bad onset {c['onset']}")
    a = {s.get("assertion") for s in syms if isinstance(s, dict)}
    t = set(tags[i]) if i < len(tags) else set()
    if "absent" in a: cat["negated"] += 1
    if "historical" in a: cat["historical"] += 1
    if "possible" in a: cat["hedged"] += 1
    if "other_person" in a or "other" in t: cat["other_person"] += 1
    if "care" in t: cat["caregiver"] += 1
    if "typo" in t: cat["typos"] += 1
    if "nonnat" in t: cat["non_native"] += 1
    if "indirect" in t:
        cat["indirect_red_flag"] += 1
        if not any(FINDINGS.get(s.get("id")) and s.get("assertion") in ("present", "possible") for s in syms if isinstance(s, dict)):
            err(f"{where}: tagged indirect red flag but no red-flag finding")
    if "caps" in t: cat["upper_case_odd_punct"] += 1
    if "first" in t: cat["first_message"] += 1
    if "elderly" in t: cat["elderly"] += 1
    if "terse" in t: cat["terse"] += 1
    if "time" in t: cat["time_expression"] += 1
    if not syms: cat["no_findings"] += 1
    if any(FINDINGS.get(s.get("id")) and s.get("assertion") == "present" for s in syms if isinstance(s, dict)):
        cat["red_flag_present"] += 1
    if "side" in c: cat["with_side"] += 1
    if "onset" in c: cat["with_onset"] += 1

# ------------------------------------------------------------------ minimums
def need(label, got, n):
    (notes if got >= n else errors).append(f"{'ok  ' if got >= n else 'FAIL'} {label}: {got} (min {n})")
primary = collections.Counter(v["expected_causes"][0] for v in V if v.get("expected_causes"))
anycause = collections.Counter(c for v in V for c in v.get("expected_causes", []))
triage = collections.Counter(v.get("expected_triage") for v in V)
typed = collections.Counter(v.get("typed_by") for v in V)
rfc = sum(1 for v in V if v.get("red_flag") is True)
dnc = sum(1 for v in V if v.get("denies_red_flags") is True)
nsure = sum(1 for v in V if v.get("default") == "not sure")
need("vignettes", len(V), 84)
for c in sorted(CAUSES):
    need(f"vignettes with primary cause {c}", primary[c], 5)
need("red_flag vignettes", rfc, 18)
need("denies_red_flags vignettes", dnc, 10)
need("caregiver vignettes (>= a third)", typed["caregiver"], -(-len(V) // 3))
need("facts with says (>= half)", n_says, -(-n_facts // 2))
need("vignettes with later messages", sum(1 for v in V if v.get("later")), 3)
need("vignettes defaulting to 'not sure'", nsure, 3)
need("extraction cases", len(X), 210)
for k, n in [("negated", 40), ("historical", 30), ("caregiver", 30), ("typos", 25), ("non_native", 20),
             ("hedged", 20), ("indirect_red_flag", 20), ("upper_case_odd_punct", 15), ("first_message", 5)]:
    need(f"extraction {k}", cat[k], n)
unused = sorted(set(FINDINGS) - set(used))
(notes if not unused else errors).append(("ok   all finding ids used" if not unused else f"FAIL unused finding ids: {unused}"))

style_tokens = collections.Counter(tok.strip() for v in V for tok in str(v.get("style", "")).split(","))
print("== vignettes:", len(V))
print("primary cause:", dict(sorted(primary.items())))
print("cause anywhere in expected_causes:", dict(sorted(anycause.items())))
print("triage:", {l: triage[l] for l in LEVELS})
print("typed_by:", dict(typed), "| red_flag:", rfc, "| denies_red_flags:", dnc, "| default 'not sure':", nsure)
print("facts:", n_facts, "with says:", n_says, "| triage != primary-cause urgency (commented):", commented_mismatch)
print("style tags:", dict(style_tokens.most_common()))
print("== extraction:", len(X))
print("categories:", dict(sorted(cat.items())))
print("finding ids used:", len(used), "of", len(FINDINGS))
print("== checks")
for n in notes: print(n)
for e in errors: print("ERROR" if not e.startswith("FAIL") else "", e)
print("RESULT:", "PASS" if not errors else f"{len(errors)} problem(s)")
sys.exit(1 if errors else 0)
