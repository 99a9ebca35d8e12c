# ruff: noqa: B018  (the whitelist format: each line reads a name)
"""Names the dead-code finder (vulture, tests/test_dead_code.py) reports although they are used.
Each entry says how it is used; anything else vulture reports is dead and goes.

The format is vulture's: an attribute read on `_` marks that name as used."""

from vulture.whitelist_utils import Whitelist

_ = Whitelist()

# Called by a library or through a table, not by name in checker/
_._split_lines  # argparse.HelpFormatter hook (checker/cli.py)
_.readable  # io.RawIOBase protocol (checker/replay/sources.py)
_.readinto
_.load_snapshot  # the loaders' FORMATS table names them as "module:function" strings
_.load_plan
_.load_template
_.load_awscli
_.load_serverless

# Model fields that no Python code reads by name: rules read them with `attribute:` (CT050's
# termination_protection), evidence.FLAG_NAMES names the public access block flags, and the
# snapshot format carries all of them (loaders/aws/snapshot.py writes every field)
_.termination_protection
_.block_public_acls
_.block_public_policy
_.ignore_public_acls
_.restrict_public_buckets
_.mfa_delete
_.sse_algorithm
_.sse_kms_key
_.protocol
_.endpoint

# Used by the tests only, kept on purpose
_.is_read_name  # with NAMED_EXCEPTIONS: the read-only rule every allowlisted call must meet
_.NAMED_EXCEPTIONS
_.basic_to_advanced  # the basic -> advanced selector correspondence the property tests check
_.matches_message  # the raw-text twin of Pattern.matches
_.comparable  # what the two replay engines must agree on (tests and bench/bench_replay.py)
_.key_of  # one of the estate's joins (bucket_of, key_of, log_group_of, topic_of)
_.get_scenario  # simulator/scenarios.py is being reworked; decide there
