"""The review page for the clinicians who run the bot: what it did, conversation by conversation,
read from the tracker store (never written), with the reviewers' marks in a table of its own.
Start it with `make review`; see docs/review.md."""
