"""The probes of issue 16 for `make reliability`: does the bot still *answer*, and does one message
silence, freeze or expose it? Each probe measures one finding of the issue and reports its figures;
they run against scripts/reliability.py's stack (the REST, socket.io and Telegram channels, the
latter talking to a fake Bot API on loopback).

  restart-back      /restart, /back (full run: /session_start too), then a red flag, then an
                    answer: replies to each, and whether the red flag got the emergency reply
                    (REST, and /restart on Telegram)                                    finding 1
  capitals          a sample of the knowledge base's immediate red-flag phrases in Title Case and
                    UPPER CASE, with curly and dropped apostrophes, soft hyphens and zero-width
                    spaces inside words, stretched letters, line breaks and emoji between words:
                    how many escalate, get a safety question, or get neither         findings 2, 9
  hostile-message   a message of many commas (full run: ~99 KB of commas and red-flag words)
                    while another conversation takes turns: the worst message time and the other
                    conversation's p95 during it                                        finding 3
  memory            N conversations of one ~950 KB message each: the Rasa server's RSS before and
                    after                                                               finding 4
  borrowed-ids      REST: /request_summary sent with another person's (guessed) sender id;
                    socket.io: a second client asking for another's session_id       finding 5
  huge-message      a 600 KB message, then ordinary turns and "start over": how many answer
                    "having trouble"                                                    finding 6
  log-leak          messages starting "/@" and "/{" with a marker: is the marker in the log? finding 7
  deep-payload      /inform{"side": [[[...3,000 deep...]]]}, with and without a red flag after it
                                                                                        finding 8
  malformed         Telegram updates with the right secret but a malformed body; socket.io
                    events with a non-string text, non-object data, non-JSON metadata  finding 10

Every probe records {"id", "finding", "figures", "problems"}; `gated` says whether --check fails on
its problems. Every probe is gated; a probe whose fix is still on a branch can be listed in
PENDING_OTHERS below, to be reported but not gated until that work is merged.
"""
from __future__ import annotations

import asyncio
import http.client
import json
import random
import re
import secrets
import threading
import time
import uuid
from typing import Any, Callable, Dict, List, Optional

# Probes reported but not gated by --check, with the reason (none: every finding of issue 16 is fixed).
PENDING_OTHERS: Dict[str, str] = {}
RED_FLAG = "I can't breathe and my leg is numb"
DESCRIPTION = "my left foot has been numb for a week"
EMOJI = "\U0001F61F"
OWN_ID = "the person's own id resumes (a reload)"  # borrowed-ids-socketio: the one id that must resume


def percentile(values: List[float], share: float) -> Optional[float]:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))], 2)


class Probes:
    """Runs the probes over a scripts.reliability.Run (its stack, client and emergency text)."""

    def __init__(self, run, smoke: bool, memory_senders: Optional[int] = None, only: Optional[List[str]] = None):
        self.run, self.smoke, self.only = run, smoke, only
        self.memory_senders = memory_senders or (24 if smoke else 300)
        self.results: List[dict] = []
        self.knowledge = self._knowledge()

    # ---------------------------------------------------------------- helpers
    @staticmethod
    def _knowledge():
        from numbness_triage.knowledge import shared_knowledge_base
        return shared_knowledge_base()

    def say(self, sender: str, text: str, timeout: float = 60) -> dict:
        """One REST message: status, reply texts, seconds, error."""
        from scripts.reliability import http_call

        started = time.time()
        status: Optional[int] = None
        texts: List[Any] = []
        error: Optional[str] = None
        try:
            status, data = http_call(self.run.stack.rasa_port, "POST", "/webhooks/rest/webhook",
                                     json.dumps({"sender": sender, "message": text}).encode(), timeout)
            if 200 <= status < 300:
                texts = [r["text"] for r in json.loads(data) if isinstance(r, dict) and r.get("text")]
        except Exception as exc:  # refused, reset, timed out
            error = type(exc).__name__
        return {"status": status, "texts": texts, "seconds": round(time.time() - started, 2), "error": error,
                "emergency": self.run.emergency in texts,
                "trouble": any("having trouble" in t for t in texts) or any("went wrong" in t for t in texts)}

    def record(self, probe_id: str, finding: str, figures: dict, problems: List[str]) -> dict:
        result = {"id": probe_id, "finding": finding, "gated": probe_id not in PENDING_OTHERS,
                  **({"pending": PENDING_OTHERS[probe_id]} if probe_id in PENDING_OTHERS else {}),
                  "figures": figures, "problems": problems}
        self.results.append(result)
        mark = "ok " if not problems else ("!! " if result["gated"] else "-- ")
        print(f"{mark}probe      {probe_id:22} {json.dumps(figures, ensure_ascii=False)[:150]}"
              + (f"   [{'; '.join(problems)[:200]}]" if problems else ""), flush=True)
        return result

    def guarded(self, name: str, probe: Callable[[], None]) -> None:
        try:
            probe()
        except Exception as exc:  # a probe that cannot run is a failed probe, not a crashed run
            self.record(name, "?", {}, [f"the probe could not run: {type(exc).__name__}: {str(exc)[:200]}"])

    def run_all(self) -> List[dict]:
        for name, probe in (("restart-back", self.restart_back), ("capitals", self.capitals),
                            ("borrowed-ids-rest", self.borrowed_rest),
                            ("borrowed-ids-socketio", self.borrowed_socketio),
                            ("huge-message", self.huge_message), ("log-leak", self.log_leak),
                            ("deep-payload", self.deep_payload), ("malformed-telegram", self.malformed_telegram),
                            ("malformed-socketio", self.malformed_socketio),
                            ("hostile-message", self.hostile_message), ("memory", self.memory)):
            if not self.only or name in self.only:
                self.guarded(name, probe)
        return self.results

    # ---------------------------------------------------------------- finding 1
    def restart_back(self) -> None:
        commands = ["/restart", "/back"] + ([] if self.smoke else ["/session_start", "/stop"])
        figures, problems = {}, []
        for command in commands:
            sender = self.run.sender(f"probe-cmd-{command.strip('/')}")
            self.say(sender, DESCRIPTION)
            to_command = self.say(sender, command)
            red_flag = self.say(sender, RED_FLAG)
            after = self.say(sender, "it's my left leg")
            figures[command] = {"replies_to_command": len(to_command["texts"]),
                                "red_flag_answered": red_flag["emergency"],
                                "replies_to_red_flag": len(red_flag["texts"]), "replies_after": len(after["texts"])}
            if not red_flag["emergency"]:
                problems.append(f"{command} then a red flag: no emergency reply ({len(red_flag['texts'])} replies)")
            if not after["texts"]:
                problems.append(f"{command}: silence afterwards")
        telegram = self.run.stack.telegram
        if telegram is not None:
            chat = telegram.new_chat()
            telegram.update(chat, "/restart")
            before = len(telegram.sent_texts(chat))
            telegram.update(chat, RED_FLAG)
            answered = self.run.emergency in telegram.sent_texts(chat)[before:]
            figures["telegram /restart"] = {"red_flag_answered": answered}
            if not answered:
                problems.append("Telegram: /restart then a red flag: no emergency reply")
        self.record("restart-back", "1", figures, problems)

    # ---------------------------------------------------------------- findings 2 and 9
    def _phrase_sample(self) -> List[str]:
        phrases = sorted({p for finding in self.knowledge.red_flags.values() if finding.red_flag.escalation ==
                          "immediate" for p in finding.phrases})
        count = 4 if self.smoke else 24
        step = max(1, len(phrases) // count)
        sample = phrases[::step][:count]
        with_apostrophe = [p for p in phrases if "'" in p]  # the apostrophe variants need one
        return sample + with_apostrophe[:: max(1, len(with_apostrophe) // 2)][:2]

    @staticmethod
    def variants(message: str) -> Dict[str, str]:
        words = message.split(" ")
        longest = max(range(len(words)), key=lambda i: len(words[i]))

        def in_longest_word(mark: str) -> str:
            word = words[longest]
            return " ".join(words[:longest] + [word[:len(word) // 2] + mark + word[len(word) // 2:]]
                            + words[longest + 1:])

        vowels = re.search(r"[aeiou]", words[longest])
        stretched = message if not vowels else " ".join(
            words[:longest] + [words[longest][:vowels.start()] + words[longest][vowels.start()] * 4
                               + words[longest][vowels.start() + 1:]] + words[longest + 1:])
        result = {"Title Case": message.title(), "UPPER CASE": message.upper(),
                  "soft hyphen": in_longest_word("\u00ad"), "zero-width space": in_longest_word("\u200b"),
                  "stretched letters": stretched, "line breaks": "\n".join(words),
                  "emoji between words": f" {EMOJI} ".join(words)}
        if "'" in message:
            result["curly apostrophe, CAPS"] = message.upper().replace("'", "\u2019")
            result["no apostrophe, CAPS"] = message.upper().replace("'", "")
        return result

    def capitals(self) -> None:
        safety_questions = [f.red_flag.check_question for f in self.knowledge.findings.values()
                            if f.red_flag and f.red_flag.check_question]
        safety_questions += [f.red_flag.clarify_question for f in self.knowledge.findings.values()
                             if f.red_flag and f.red_flag.clarify_question]
        tried = escalated = questioned = 0
        by_variant: Dict[str, Dict[str, int]] = {}
        missed, not_baseline = [], []
        for number, phrase in enumerate(self._phrase_sample()):
            message = f"{phrase} and my leg is numb"
            if not self.say(self.run.sender(f"probe-caps-{number}-base"), message)["emergency"]:
                not_baseline.append(phrase)  # not escalated even in lower case: not this probe's business
                continue
            for name, variant in self.variants(message).items():
                outcome = self.say(self.run.sender(f"probe-caps-{number}-{uuid.uuid4().hex[:4]}"), variant)
                asked = any(q in t for t in outcome["texts"] for q in safety_questions)
                counts = by_variant.setdefault(name, {"tried": 0, "escalated": 0, "safety_question": 0})
                tried, counts["tried"] = tried + 1, counts["tried"] + 1
                if outcome["emergency"]:
                    escalated, counts["escalated"] = escalated + 1, counts["escalated"] + 1
                elif asked:
                    questioned, counts["safety_question"] = questioned + 1, counts["safety_question"] + 1
                else:
                    missed.append(f"{name}: {variant!r}")
        figures = {"phrases_sampled": len(self._phrase_sample()), "variants_tried": tried, "escalated": escalated,
                   "safety_question_only": questioned, "neither": tried - escalated - questioned,
                   "by_variant": by_variant, "not_escalated_in_lower_case": not_baseline,
                   "neither_examples": missed[:12]}
        problems = [f"{tried - escalated} of {tried} variants did not escalate "
                    f"({tried - escalated - questioned} got neither an escalation nor a safety question)"] \
            if escalated < tried else []
        self.record("capitals", "2, 9", figures, problems)

    # ---------------------------------------------------------------- finding 3
    def hostile_message(self) -> None:
        if self.smoke:
            hostile = "my leg is numb" + "," * 5000
            shown = "5,000 commas after 'my leg is numb'"
        else:
            hostile = (("," * 40 + " I can't breathe ") * 2000)[:99_000]
            shown = "99 KB of commas and red-flag words"
        other = self.run.sender("probe-hostile-other")
        self.say(other, DESCRIPTION)
        outcome: dict = {}

        def send_hostile() -> None:
            outcome.update(self.say(self.run.sender("probe-hostile"), hostile, timeout=300))

        worker = threading.Thread(target=send_hostile, daemon=True)
        worker.start()
        time.sleep(0.3)
        during: List[float] = []
        failed = 0
        script = ["it's my left leg", "about a week", "no", "not sure", "yes"]
        while worker.is_alive() and len(during) < 400:
            turn = self.say(other, script[len(during) % len(script)], timeout=300)
            during.append(turn["seconds"])
            failed += bool(turn["error"] or not turn["texts"] or turn["trouble"])
        worker.join(320)
        figures: Dict[str, Any] = {"message": shown, "hostile_seconds": outcome.get("seconds"),
                   "hostile_answered": bool(outcome.get("texts")),
                   "hostile_red_flag_answered": outcome.get("emergency") if not self.smoke else None,
                   "other_turns_during": len(during), "other_p95_s": percentile(during, 0.95),
                   "other_max_s": max(during) if during else None, "other_failed": failed}
        problems = []
        if not outcome.get("texts"):
            problems.append("the hostile message got no reply")
        if not self.smoke and not outcome.get("emergency"):
            problems.append("the red flags in the hostile message were not answered")
        if (figures["other_p95_s"] or 0) > 2.0:
            problems.append(f"another conversation's p95 was {figures['other_p95_s']} s during it (over 2 s)")
        if failed:
            problems.append(f"{failed} of the other conversation's turns failed")
        self.record("hostile-message", "3", figures, problems)

    # ---------------------------------------------------------------- finding 4
    def memory(self) -> None:
        stack = self.run.stack
        text = (("my left leg has been numb and tingly for a while and it gets worse when I walk far " * 12_000)
                [:950_000])
        warm_up = 4
        senders = [self.run.sender(f"probe-mem-{i}") for i in range(self.memory_senders)]
        rss_start = stack.rss_mb()
        rss_after_warm_up, started, failures = None, time.time(), 0
        for index, sender in enumerate(senders):
            failures += bool(self.say(sender, text, timeout=120)["error"])
            if index + 1 == warm_up:
                time.sleep(1)
                rss_after_warm_up = stack.rss_mb()
        time.sleep(2)
        rss_end = stack.rss_mb()
        growth = rss_end - (rss_after_warm_up or rss_start)
        per_conversation = growth / max(1, len(senders) - warm_up)
        figures = {"conversations": len(senders), "message_kb": 950, "rss_start_mb": round(rss_start),
                   "rss_after_warm_up_mb": round(rss_after_warm_up or 0), "rss_end_mb": round(rss_end),
                   "growth_after_warm_up_mb": round(growth), "mb_per_conversation": round(per_conversation, 2),
                   "seconds": round(time.time() - started), "failed_requests": failures}
        problems = []
        if per_conversation > 1.0:  # before issue 16: 2.0 MB; allocator noise stays well under 1
            problems.append(f"the server kept {per_conversation:.2f} MB per conversation of one 950 KB message "
                            f"(RSS {rss_start:.0f} -> {rss_end:.0f} MB)")
        if failures:
            problems.append(f"{failures} requests failed")
        self.record("memory", "4", figures, problems)

    # ---------------------------------------------------------------- finding 5
    def borrowed_rest(self) -> None:
        victim = self.run.sender("probe-victim")
        self.say(victim, DESCRIPTION)
        self.say(victim, "I am 52, female")
        guessed = [("the victim's id", victim),
                   ("a client-chosen id", f"patient-{random.randint(1, 99)}"),
                   ("the victim's id with its last character changed",
                    victim[:-1] + ("A" if victim[-1] != "A" else "B"))]
        figures: Dict[str, Any] = {}
        problems: List[str] = []
        victims_summary = self._summary(self.say(victim, "/request_summary")["texts"])
        for _, sender in guessed[1:2]:
            self.say(sender, DESCRIPTION)  # a conversation someone started under a guessable id
        for name, sender in guessed:
            outcome = self.say(sender if name != "the victim's id" else victim, "/request_summary")
            summary = self._summary(outcome["texts"])
            figures[name] = {"status": outcome["status"], "got_a_summary_with_data": summary is not None}
        # What a stranger can do: use an id they did not get from the server.
        borrowed = [n for n in ("a client-chosen id", "the victim's id with its last character changed")
                    if figures[n]["got_a_summary_with_data"]]
        issued = self.run.issued_ids
        figures["server_issues_ids"] = issued
        figures["victim_summary_readable_by_victim"] = victims_summary is not None
        if borrowed:
            problems.append(f"another person's summary returned for {', '.join(borrowed)}")
        if not issued:
            problems.append("the REST channel accepts any sender id the client chooses (no issued ids)")
        if victims_summary is None:
            problems.append("the person's own summary was not returned")
        self.record("borrowed-ids-rest", "5", figures, problems)

    @staticmethod
    def _summary(texts: List[str]) -> Optional[str]:
        """The summary text when it holds something the person said (not 'nothing yet')."""
        for text in texts:
            if text.startswith("Summary to show a doctor") and "Reported: nothing yet" not in text:
                return text
        return None

    def borrowed_socketio(self) -> None:
        """A stranger joins with an id they could know without being given it: the conversation id
        the tracker store and the operators' tools show, a client-chosen id, or the person's id with
        one character changed. The person's own whole id (kept by their browser) must resume."""
        import socketio

        url = f"http://127.0.0.1:{self.run.stack.rasa_port}"
        figures: Dict[str, Any] = {}
        victim = _SocketClient(url)
        try:
            session = victim.start() or ""
            victim.say(DESCRIPTION)
            conversation = session.split(".")[0]
            borrowed = {"the conversation id of the tracker store": conversation,
                        "a client-chosen id": uuid.uuid4().hex,
                        "the person's id with its last character changed":
                            session[:-1] + ("0" if session[-1:] != "0" else "1")}
            for name, session_id in borrowed.items():
                figures[name] = self._stranger_with(url, session_id, victim)
            figures[OWN_ID] = self._stranger_with(url, session, victim)
        except socketio.exceptions.ConnectionError as error:
            figures = {"connection": f"refused: {error}"}
        finally:
            victim.close()
        problems = []
        for name, outcome in figures.items():
            if not isinstance(outcome, dict) or name == OWN_ID:
                continue
            if outcome["heard_replies"]:
                problems.append(f"{name}: heard the person's replies")
            if outcome["got_summary"]:
                problems.append(f"{name}: got the person's summary")
        own = figures.get(OWN_ID)
        if isinstance(own, dict) and not own["got_summary"]:
            problems.append("the person's own id did not resume their conversation")
        self.record("borrowed-ids-socketio", "5", figures, problems)

    def _stranger_with(self, url: str, session_id: str, victim: "_SocketClient") -> Dict[str, Any]:
        """What a second client confirmed with `session_id` hears of the victim's conversation."""
        stranger = _SocketClient(url)
        try:
            stranger.start(session_id)
            heard_before = len(stranger.received)
            victim.say("it's my left leg")
            time.sleep(1)
            heard = len(stranger.received) - heard_before
            stranger.say("/request_summary")
            return {"same_conversation": stranger.session == victim.session, "heard_replies": heard,
                    "got_summary": self._summary(stranger.received) is not None}
        finally:
            stranger.close()

    # ---------------------------------------------------------------- finding 6
    def huge_message(self) -> None:
        sender = self.run.sender("probe-600kb")
        first = self.say(sender, DESCRIPTION)
        big = self.say(sender, ("my left leg has been numb and tingly for a while " * 13_000)[:600_000], timeout=150)
        later = [self.say(sender, text) for text in ("it's my left leg", "start over", DESCRIPTION, "I am 40, male")]
        red_flag = self.say(sender, RED_FLAG)
        troubled = sum(1 for turn in later if turn["trouble"])
        figures = {"before": "trouble" if first["trouble"] else "ok",
                   "600kb_message": {"status": big["status"], "seconds": big["seconds"], "trouble": big["trouble"],
                                     "replies": len(big["texts"])},
                   "later_turns": len(later), "later_turns_having_trouble": troubled,
                   "red_flag_answered_afterwards": red_flag["emergency"]}
        problems = []
        if big["trouble"] or not big["texts"]:
            problems.append("the 600 KB message itself got 'having trouble' or no reply")
        if troubled:
            problems.append(f"{troubled} of {len(later)} later turns answered 'having trouble'")
        if not red_flag["emergency"]:
            problems.append("a red flag after it was not answered")
        self.record("huge-message", "6", figures, problems)

    # ---------------------------------------------------------------- finding 7
    def log_leak(self) -> None:
        marker = f"zqleak{secrets.token_hex(5)}"
        texts = [f"/@{marker} my leg is numb", f"/{{{marker}}} my leg is numb", f'/inform{{"{marker}": 1']
        for number, text in enumerate(texts):
            self.say(self.run.sender(f"probe-leak-{number}"), text)
        time.sleep(1)
        logs = {name: self.run.stack.log(name) for name in ("rasa", "actions-main", "actions-spare")}
        leaked = [name for name, path in logs.items() if path.exists() and marker in path.read_text(errors="replace")]
        self.record("log-leak", "7", {"messages": len(texts), "logs_with_the_text": leaked},
                    [f"message text in logs/{self.run.stack.log_prefix}-{n}.log" for n in leaked])

    # ---------------------------------------------------------------- finding 8
    def deep_payload(self) -> None:
        deep = '/inform{"side": ' + "[" * 3000 + "]" * 3000 + "}"
        plain = self.say(self.run.sender("probe-deep"), deep)
        with_flag = self.say(self.run.sender("probe-deep-red-flag"), deep + " " + RED_FLAG)
        log = self.run.stack.log("rasa").read_text(errors="replace")
        figures = {"status": plain["status"], "replies": len(plain["texts"]),
                   "with_red_flag": {"status": with_flag["status"], "emergency": with_flag["emergency"]},
                   "recursion_error_in_log": "RecursionError" in log}
        problems = []
        if plain["status"] is None or plain["status"] >= 500 or not plain["texts"]:
            problems.append(f"the deep payload got {plain['status']} with {len(plain['texts'])} replies")
        if not with_flag["emergency"]:
            problems.append("the red flag after a deep payload was missed")
        if figures["recursion_error_in_log"]:
            problems.append("an uncaught RecursionError in the log")
        self.record("deep-payload", "8", figures, problems)

    # ---------------------------------------------------------------- finding 10
    def malformed_telegram(self) -> None:
        telegram = self.run.stack.telegram
        if telegram is None:
            self.record("malformed-telegram", "10", {}, ["no Telegram channel in this stack"])
            return
        chat = telegram.new_chat()
        good = telegram.message(chat, "hello")
        bodies = {
            "message is a string": {"update_id": telegram.next_id(), "message": "not an object"},
            "message without chat": {"update_id": telegram.next_id(), "message": {"message_id": 1, "date": 0,
                                                                                  "text": "hi"}},
            "chat is null": {"update_id": telegram.next_id(), "message": {**good["message"], "chat": None}},
            "text is a number": {"update_id": telegram.next_id(), "message": {**good["message"], "text": 12345}},
            "update_id is a list": {**good, "update_id": [1, 2]},
            "callback_query is a string": {"update_id": telegram.next_id(), "callback_query": "x"},
            "callback data is an object": {"update_id": telegram.next_id(), "callback_query": {
                "id": "1", "from": good["message"]["from"], "chat_instance": "c", "data": {"a": 1},
                "message": good["message"]}},
            "message is a list": {"update_id": telegram.next_id(), "message": [1, 2]},
        }
        raw = {"a JSON string": json.dumps(json.dumps(good)).encode(), "not JSON": b"{not json",
               "a JSON string of a list": json.dumps("[1, 2]").encode()}
        statuses = {name: telegram.post(json.dumps(body).encode()) for name, body in bodies.items()}
        statuses.update({name: telegram.post(body) for name, body in raw.items()})
        before = len(telegram.sent_texts(chat))
        status = telegram.post(json.dumps(telegram.message(chat, DESCRIPTION)).encode())
        answered = len(telegram.sent_texts(chat)) > before
        figures = {"bodies": len(statuses), "statuses": statuses,
                   "server_errors": sum(1 for s in statuses.values() if s is None or s >= 500),
                   "valid_update_after": {"status": status, "answered": answered}}
        problems = [f"{name}: HTTP {s}" for name, s in statuses.items() if s is None or s >= 500]
        if not answered:
            problems.append("a valid update afterwards got no answer")
        self.record("malformed-telegram", "10", figures, problems)

    def malformed_socketio(self) -> None:
        url = f"http://127.0.0.1:{self.run.stack.rasa_port}"
        client = _SocketClient(url)
        events = {"text is a number": lambda session: {"message": 12345, "session_id": session},
                  "data is a string": lambda session: "my leg is numb",
                  "metadata is not JSON": lambda session: {"message": "hello", "session_id": session,
                                                           "metadata": "{not json"}}
        figures, problems = {}, []
        log = self.run.stack.log("rasa")
        try:
            session = client.start()
            for name, make in events.items():
                log_before = log.read_text(errors="replace").count("Traceback")
                heard = len(client.received)
                client.emit(make(session))
                time.sleep(2)
                errors = log.read_text(errors="replace").count("Traceback") - log_before
                figures[name] = {"replies": len(client.received) - heard, "tracebacks_in_log": errors}
                if errors:
                    problems.append(f"{name}: an unhandled error in the server's log")
            heard = len(client.received)
            client.say(DESCRIPTION)
            figures["valid_message_after"] = {"replies": len(client.received) - heard}
            if len(client.received) == heard:
                problems.append("a valid message afterwards got no answer")
        finally:
            client.close()
        self.record("malformed-socketio", "10", figures, problems)


class _SocketClient:
    """A socket.io client as the web widget is one (long polling; session_request, user_uttered)."""

    def __init__(self, url: str):
        import socketio

        self.url = url
        self.client = socketio.Client(reconnection=False)
        self.received: List[str] = []
        self.session: Optional[str] = None
        self.client.on("bot_uttered", lambda data: self.received.append(
            (data or {}).get("text") or "" if isinstance(data, dict) else str(data)))
        self.client.on("session_confirm", self._confirmed)
        self._confirmation = threading.Event()

    def _confirmed(self, data) -> None:
        self.session = data.get("session_id") if isinstance(data, dict) else data
        self._confirmation.set()

    def start(self, session_id: Optional[str] = None) -> Optional[str]:
        self.client.connect(self.url, transports=["polling"], socketio_path="socket.io",
                            headers={"Origin": self.url}, wait_timeout=10)
        self.client.emit("session_request", {"session_id": session_id or uuid.uuid4().hex})
        self._confirmation.wait(10)
        return self.session

    def emit(self, data) -> None:
        self.client.emit("user_uttered", data)

    def say(self, text: str, wait: float = 20) -> None:
        heard = len(self.received)
        self.emit({"message": text, "session_id": self.session})
        deadline = time.time() + wait
        while time.time() < deadline and len(self.received) == heard:
            time.sleep(0.1)
        time.sleep(0.8)  # the rest of the turn's messages

    def close(self) -> None:
        try:
            self.client.disconnect()
        except Exception:
            pass


class FakeTelegram:
    """Telegram's Bot API on loopback (getMe, setWebhook, sendMessage, answerCallbackQuery), and a
    client posting updates to the bot's webhook with the secret header."""

    def __init__(self, bot_name: str = "reliability_probe_bot"):
        from tooling.processes import free_port

        self.bot_name, self.port = bot_name, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = f"{random.randint(10**8, 10**9)}:{secrets.token_urlsafe(26)}"  # made here: no literal token
        self.secret = secrets.token_urlsafe(24)
        self.sent: List[dict] = []
        self.rasa_port: Optional[int] = None
        self._ids = iter(range(random.randint(10**6, 10**7), 10**8))
        self._loop = asyncio.new_event_loop()
        self._runner: Any = None
        threading.Thread(target=self._loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(20)

    async def _start(self) -> None:
        from aiohttp import web

        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def _handle(self, request):
        from aiohttp import web

        data = await request.json() if request.content_type == "application/json" else dict(await request.post())
        method = request.match_info["method"].lower()
        result = True
        if method == "getme":
            result = {"id": 123456789, "is_bot": True, "first_name": "Probe", "username": self.bot_name}
        elif method == "sendmessage":
            self.sent.append(data)
            result = {"message_id": len(self.sent), "date": int(time.time()), "text": data.get("text", ""),
                      "chat": {"id": int(data["chat_id"]), "type": "private"}}
        return web.json_response({"ok": True, "result": result})

    def credentials(self, rasa_port: int) -> dict:
        self.rasa_port = rasa_port
        return {"channels.telegram_secure.SecureTelegramInput": {
            "access_token": self.token, "verify": self.bot_name, "secret_token": self.secret, "api_url": self.url,
            "webhook_url": f"http://127.0.0.1:{rasa_port}/webhooks/telegram/webhook"}}

    def next_id(self) -> int:
        return next(self._ids)

    def new_chat(self) -> int:
        return self.next_id()

    def message(self, chat: int, text: str) -> dict:
        person = {"id": chat, "is_bot": False, "first_name": "Pat"}
        return {"update_id": self.next_id(), "message": {"message_id": self.next_id(), "date": int(time.time()),
                                                         "chat": {"id": chat, "type": "private"}, "from": person,
                                                         "text": text}}

    def post(self, body: bytes) -> Optional[int]:
        connection = http.client.HTTPConnection("127.0.0.1", self.rasa_port, timeout=60)
        try:
            connection.request("POST", "/webhooks/telegram/webhook", body,
                               {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": self.secret})
            response = connection.getresponse()
            response.read()
            return response.status
        except Exception:
            return None
        finally:
            connection.close()

    def update(self, chat: int, text: str) -> Optional[int]:
        return self.post(json.dumps(self.message(chat, text)).encode())

    def sent_texts(self, chat: int) -> List[str]:
        return [m.get("text", "") for m in list(self.sent) if str(m.get("chat_id")) == str(chat)]

    def close(self) -> None:
        async def stop():
            if self._runner:
                await self._runner.cleanup()
        try:
            asyncio.run_coroutine_threadsafe(stop(), self._loop).result(10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)


def summary(results: List[dict]) -> dict:
    """The figures the issue's closing note asks for, one line each."""
    by_id = {r["id"]: r for r in results}

    def figures(name: str) -> dict:
        return by_id.get(name, {}).get("figures", {})

    return {
        "replies_after_restart": figures("restart-back").get("/restart"),
        "replies_after_back": figures("restart-back").get("/back"),
        "capitals_and_obfuscations": {k: figures("capitals").get(k) for k in
                                      ("variants_tried", "escalated", "safety_question_only", "neither")},
        "hostile_message": {k: figures("hostile-message").get(k) for k in
                            ("message", "hostile_seconds", "other_p95_s", "other_max_s", "other_failed")},
        "memory": {k: figures("memory").get(k) for k in
                   ("conversations", "rss_start_mb", "rss_end_mb", "mb_per_conversation")},
        "borrowed_ids": {"rest": figures("borrowed-ids-rest"), "socketio": figures("borrowed-ids-socketio")},
        "huge_message": figures("huge-message"),
        "log_leak": figures("log-leak"),
        "deep_payload": figures("deep-payload"),
        "malformed": {"telegram_server_errors": figures("malformed-telegram").get("server_errors"),
                      "socketio": figures("malformed-socketio")},
        "gated_failures": [r["id"] for r in results if r["gated"] and r["problems"]],
        "pending_others": {r["id"]: r["pending"] for r in results if not r["gated"]},
    }

