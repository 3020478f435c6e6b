"""The findings the code names: everything else about them is data (data/knowledge/findings.yml).

knowledge.py checks that each one is in the knowledge base, so that renaming or removing one in
the YAML fails at load time, not silently in a rule that no longer fires.
"""
from __future__ import annotations

LEG_NUMBNESS, FOOT_NUMBNESS, UPPER_LEG_NUMBNESS = "leg_numbness", "foot_numbness", "upper_leg_numbness"
ARM_NUMBNESS = "arm_numbness"
SUDDEN_NUMBNESS = "sudden_numbness"  # the red flag: numbness that came on suddenly
TINGLING, BURNING_SENSATION, POSITIONAL_NUMBNESS = "tingling", "burning_sensation", "positional_numbness"
RESOLVES_QUICKLY = "resolves_quickly"  # it passes within minutes of moving
PAIN_WALKING_EASES_WITH_REST = "pain_walking_eases_with_rest"
WEAKNESS, SPREADING_WEAKNESS, PARALYSIS = "weakness", "spreading_weakness", "paralysis"
ONE_SIDED_BODY_WEAKNESS = "one_sided_body_weakness"
LEG_PAIN, FOOT_PAIN, THIGH_PAIN, COLD_FEET = "leg_pain", "foot_pain", "thigh_pain", "cold_feet"
LOWER_BACK_PAIN, UPPER_BACK_OR_NECK_PAIN = "lower_back_pain", "upper_back_or_neck_pain"
LIMB_COLOUR_CHANGE = "limb_colour_change"  # the red flag: a pale, blue or mottled leg or foot
SCIATICA, INJURY_LEG_PAIN, FIBULAR_NERVE_PAIN = "sciatica", "injury_leg_pain", "fibular_nerve_pain"
SUDDEN_SEVERE_HEADACHE, NEW_HEADACHE = "sudden_severe_headache", "new_headache"
FAMILY_HISTORY_MS, MS_DIAGNOSIS = "family_history_ms", "ms_diagnosis"

NUMBNESS_FINDINGS = (LEG_NUMBNESS, FOOT_NUMBNESS, UPPER_LEG_NUMBNESS)
# What "it" is when a person says how long "it" has lasted.
SENSORY_FINDINGS = (*NUMBNESS_FINDINGS, TINGLING, BURNING_SENSATION, SUDDEN_NUMBNESS, POSITIONAL_NUMBNESS,
                    RESOLVES_QUICKLY, PAIN_WALKING_EASES_WITH_REST)
# What a side said in the same message is about: the legs and feet ("my left eye" is no side).
LIMB_FINDINGS = (*NUMBNESS_FINDINGS, TINGLING, BURNING_SENSATION, WEAKNESS, LEG_PAIN, FOOT_PAIN, COLD_FEET, SCIATICA,
                 PARALYSIS, THIGH_PAIN)

NAMED_IN_CODE = (
    LEG_NUMBNESS, FOOT_NUMBNESS, UPPER_LEG_NUMBNESS, ARM_NUMBNESS, SUDDEN_NUMBNESS, TINGLING, BURNING_SENSATION,
    POSITIONAL_NUMBNESS, RESOLVES_QUICKLY, PAIN_WALKING_EASES_WITH_REST, WEAKNESS, SPREADING_WEAKNESS, PARALYSIS,
    ONE_SIDED_BODY_WEAKNESS, LEG_PAIN, FOOT_PAIN, THIGH_PAIN, COLD_FEET, SCIATICA, INJURY_LEG_PAIN,
    FIBULAR_NERVE_PAIN, SUDDEN_SEVERE_HEADACHE, NEW_HEADACHE, FAMILY_HISTORY_MS, MS_DIAGNOSIS, LOWER_BACK_PAIN,
    UPPER_BACK_OR_NECK_PAIN, LIMB_COLOUR_CHANGE,
)
