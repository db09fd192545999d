"""Every invalid manifest in ``invalid/`` gives exactly its expected problems, through the CLI.

One file (or one directory, for problems across files) per failure, named after it.
Paths in the expected lines are as given on the command line, relative to ``invalid/``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bytestack_sync.cli import main

INVALID = Path(__file__).parent / "invalid"

EXPECTED: dict[str, list[str]] = {
    "bad-cron-empty.yaml": [
        "bad-cron-empty.yaml:6:15: invalid schedule '': schedule is empty",
    ],
    "bad-cron-four-fields.yaml": [
        (
            "bad-cron-four-fields.yaml:6:15: invalid schedule '0 8 * *': 4 fields: expected 5 "
            "(minute hour day-of-month month day-of-week)"
        ),
    ],
    "bad-cron-never-fires.yaml": [
        (
            "bad-cron-never-fires.yaml:6:15: invalid schedule '0 0 30 2 *': never fires: "
            "day-of-month '30' does not occur in month '2'"
        ),
    ],
    "bad-cron-nonstandard-l.yaml": [
        (
            "bad-cron-nonstandard-l.yaml:6:15: invalid schedule '0 0 L * *': day-of-month 'L': "
            "'L' is non-standard cron, not supported"
        ),
    ],
    "bad-cron-out-of-range.yaml": [
        (
            "bad-cron-out-of-range.yaml:6:15: invalid schedule '0 24 * * *': hour 24 is out of "
            "range 0-23"
        ),
    ],
    "bad-cron-reboot.yaml": [
        (
            "bad-cron-reboot.yaml:6:15: invalid schedule '@reboot': @reboot is not supported: a "
            "schedule must fire at set times"
        ),
    ],
    "bad-cron-reversed-range.yaml": [
        (
            "bad-cron-reversed-range.yaml:6:15: invalid schedule '0 8 * * FRI-MON': day-of-week "
            "range 'FRI-MON' is reversed"
        ),
    ],
    "bad-cron-six-fields.yaml": [
        (
            "bad-cron-six-fields.yaml:6:15: invalid schedule '0 0 8 * * *': 6 fields: seconds or "
            "years are not supported; use 5 fields"
        ),
    ],
    "bad-cron-unknown-alias.yaml": [
        (
            "bad-cron-unknown-alias.yaml:6:15: invalid schedule '@fortnightly': unknown alias "
            "'@fortnightly'; use one of @hourly, @daily, @midnight, @weekly, @monthly, @yearly, "
            "@annually"
        ),
    ],
    "defaults-webhook-url-invalid.yaml": [
        (
            "defaults-webhook-url-invalid.yaml:3:16: webhook_url must use https:// (plain http:// "
            "is allowed only for loopback hosts)"
        ),
    ],
    "duplicate-job-across-files": [
        (
            "duplicate-job-across-files/team/b.yaml:5:5: duplicate job name 'Daily mentions' "
            "(first declared at duplicate-job-across-files/a.yaml:3:5)"
        ),
    ],
    "duplicate-job-name.yaml": [
        (
            "duplicate-job-name.yaml:7:5: duplicate job name 'Daily mentions' (first declared at "
            "duplicate-job-name.yaml:3:5)"
        ),
    ],
    "duplicate-key.yaml": [
        "duplicate-key.yaml:7:5: duplicate key 'schedule' (first defined at line 6)",
    ],
    "duplicate-top-level-key.yaml": [
        "duplicate-top-level-key.yaml:8:1: duplicate key 'prune' (first defined at line 2)",
    ],
    "duplicate-webhook-url.yaml": [
        (
            "duplicate-webhook-url.yaml:9:5: duplicate webhook url 'https://hooks.example.com/a' "
            "(first declared at duplicate-webhook-url.yaml:8:5)"
        ),
    ],
    "events-empty.yaml": [
        "events-empty.yaml:9:13: events must not be empty",
    ],
    "ignore-and-safety-set-twice": [
        (
            "ignore-and-safety-set-twice/b.yaml:2:1: safety is already set at "
            "ignore-and-safety-set-twice/a.yaml:4:1; set it in one file only"
        ),
        (
            "ignore-and-safety-set-twice/b.yaml:4:1: ignore is already set at "
            "ignore-and-safety-set-twice/a.yaml:2:1; set it in one file only"
        ),
    ],
    "invalid-interpolation.yaml": [
        (
            "invalid-interpolation.yaml:3:11: invalid reference '${1TEAM}': expected ${VAR}, "
            "${VAR:-default} or ${secret:VAR} (write $${ for a literal ${)"
        ),
    ],
    "job-field-at-top-level.yaml": [
        (
            "job-field-at-top-level.yaml:2:1: unknown key 'schedule' at the top level (job fields "
            "go in an entry of jobs:)"
        ),
    ],
    "job-not-mapping.yaml": [
        "job-not-mapping.yaml:3:5: jobs[0] must be a mapping (got a string)",
    ],
    "jobs-not-list.yaml": [
        "jobs-not-list.yaml:3:3: jobs must be a list (got a mapping)",
    ],
    "missing-name.yaml": [
        "missing-name.yaml:3:5: missing required key 'name' in job",
    ],
    "missing-prompt.yaml": [
        "missing-prompt.yaml:3:5: missing required key 'prompt' in job",
    ],
    "missing-schedule.yaml": [
        "missing-schedule.yaml:5:5: job has no schedule (set it here or in defaults)",
    ],
    "missing-secret-variable.yaml": [
        "missing-secret-variable.yaml:7:18: environment variable BYTESTACK_TEST_HOOK is not set",
    ],
    "missing-sources.yaml": [
        "missing-sources.yaml:3:5: job has no sources (set it here or in defaults)",
    ],
    "missing-variable.yaml": [
        "missing-variable.yaml:3:11: environment variable BYTESTACK_TEST_TEAM is not set",
        "missing-variable.yaml:4:13: environment variable BYTESTACK_TEST_BRAND is not set",
    ],
    "missing-webhook-url.yaml": [
        "missing-webhook-url.yaml:8:5: missing required key 'url' in webhook",
    ],
    "name-empty.yaml": [
        "name-empty.yaml:3:11: name must be 1-200 characters (got 0)",
    ],
    "name-not-string.yaml": [
        "name-not-string.yaml:3:11: name must be a string (got an integer; quote it)",
    ],
    "name-reserved-for-the-lock.yaml": [
        (
            "name-reserved-for-the-lock.yaml:3:11: job names starting 'bytestack-sync-lock-' "
            "are reserved for the apply lock"
        ),
    ],
    "name-too-long.yaml": [
        "name-too-long.yaml:3:11: name must be 1-200 characters (got 201)",
    ],
    "not-utf8.yaml": [
        "not-utf8.yaml:4:29: not valid UTF-8 text",
    ],
    "nothing-declared.yaml": [
        (
            "nothing-declared.yaml: nothing-declared.yaml declares no job and no webhook: plan "
            "and apply would refuse to delete everything (set prune: off to manage nothing)"
        ),
    ],
    "prompt-blank.yaml": [
        "prompt-blank.yaml:4:13: prompt must be 1-4000 characters after stripping (got 0)",
    ],
    "prompt-not-string.yaml": [
        "prompt-not-string.yaml:4:13: prompt must be a string (got a list)",
    ],
    "prompt-too-long.yaml": [
        "prompt-too-long.yaml:4:13: prompt must be 1-4000 characters after stripping (got 4001)",
    ],
    "protect-not-boolean.yaml": [
        "protect-not-boolean.yaml:7:14: protect must be true or false (got 'maybe')",
    ],
    "protect-integer.yaml": [
        "protect-integer.yaml:7:14: protect must be true or false (got 1)",
    ],
    "protect-yaml-1-1-boolean.yaml": [
        (
            "protect-yaml-1-1-boolean.yaml:7:14: protect must be true or false (got 'yes'; "
            "YAML 1.2 reads only true and false as booleans)"
        ),
    ],
    "prune-set-twice": [
        (
            "prune-set-twice/b.yml:2:1: prune is already set at prune-set-twice/a.yaml:2:1; set "
            "it in one file only"
        ),
    ],
    "prune-unknown.yaml": [
        (
            "prune-unknown.yaml:2:8: prune must be one of delete, pause, off (got 'delet') (did "
            "you mean 'delete'?)"
        ),
    ],
    "safety-not-mapping.yaml": [
        "safety-not-mapping.yaml:2:9: safety must be a mapping (got an integer)",
    ],
    "safety-percent-out-of-range.yaml": [
        (
            "safety-percent-out-of-range.yaml:3:24: safety.max_destroy_percent must be at most "
            "100 (got 150)"
        ),
    ],
    "safety-percent-quoted.yaml": [
        (
            "safety-percent-quoted.yaml:3:24: safety.max_destroy_percent must be a number "
            "(got the string '25'; remove the quotes)"
        ),
    ],
    "safety-runs-per-day-fraction.yaml": [
        "safety-runs-per-day-fraction.yaml:3:21: safety.max_runs_per_day must be an integer "
        "(got 48.5)",
    ],
    "safety-runs-per-day-zero.yaml": [
        "safety-runs-per-day-zero.yaml:3:21: safety.max_runs_per_day must be at least 1 (got 0)",
    ],
    "schedule-not-string.yaml": [
        "schedule-not-string.yaml:6:15: schedule must be a string (got an integer; quote it)",
    ],
    "secret-in-sources.yaml": [
        (
            "secret-in-sources.yaml:5:15: ${secret:...} may be used only in the fields name, "
            "prompt, schedule, url, webhook_url"
        ),
    ],
    "sources-empty.yaml": [
        "sources-empty.yaml:5:14: sources must not be empty",
    ],
    "sources-not-list.yaml": [
        "sources-not-list.yaml:5:14: sources must be a list (got a string)",
    ],
    "status-unknown.yaml": [
        (
            "status-unknown.yaml:7:13: status must be one of active, paused (got 'pasued') (did "
            "you mean 'paused'?)"
        ),
    ],
    "top-level-list.yaml": [
        "top-level-list.yaml:2:1: the manifest must be a mapping (got a list)",
    ],
    "unknown-defaults-key.yaml": [
        (
            "unknown-defaults-key.yaml:3:3: unknown key 'source' in defaults (did you mean "
            "'sources'?)"
        ),
    ],
    "unknown-event.yaml": [
        (
            "unknown-event.yaml:9:14: unknown event type 'job.complete' (did you mean "
            "'job.completed'?)"
        ),
    ],
    "unknown-event-far-from-any.yaml": [
        (
            "unknown-event-far-from-any.yaml:9:14: unknown event type 'success'; known event "
            "types: job.completed, job.failed"
        ),
    ],
    "unknown-job-key.yaml": [
        "unknown-job-key.yaml:7:5: unknown key 'shedule' in job (did you mean 'schedule'?)",
    ],
    "unknown-safety-key.yaml": [
        (
            "unknown-safety-key.yaml:3:3: unknown key 'max_destroy' in safety (did you mean "
            "'max_destroy_percent'?)"
        ),
    ],
    "unknown-source.yaml": [
        "unknown-source.yaml:5:18: unknown source 'redit' (did you mean 'reddit'?)",
    ],
    "unknown-source-far-from-any.yaml": [
        (
            "unknown-source-far-from-any.yaml:5:18: unknown source 'myspace'; known sources: x, "
            "reddit, linkedin, youtube, tiktok, instagram, facebook"
        ),
    ],
    "unknown-source-other-name.yaml": [
        "unknown-source-other-name.yaml:5:18: unknown source 'twitter' (did you mean 'x'?)",
    ],
    "unknown-top-level-key.yaml": [
        (
            "unknown-top-level-key.yaml:2:1: unknown key 'webhoks' at the top level (did you mean "
            "'webhooks'?)"
        ),
    ],
    "unknown-webhook-key.yaml": [
        "unknown-webhook-key.yaml:9:5: unknown key 'event' in webhook (did you mean 'events'?)",
    ],
    "unterminated-interpolation.yaml": [
        (
            "unterminated-interpolation.yaml:3:11: unterminated reference '${TEAM mentions' "
            "(write $${ for a literal ${)"
        ),
    ],
    "version-unsupported.yaml": [
        (
            "version-unsupported.yaml:2:10: unsupported manifest version 2 (this tool reads "
            "version 1)"
        ),
    ],
    "version-boolean.yaml": [
        "version-boolean.yaml:2:10: unsupported manifest version true (this tool reads version 1)",
    ],
    "webhook-url-ftp.yaml": [
        "webhook-url-ftp.yaml:8:10: url must use https:// (got ftp://)",
    ],
    "webhook-url-plain-http.yaml": [
        (
            "webhook-url-plain-http.yaml:7:18: webhook_url must use https:// (plain http:// is "
            "allowed only for loopback hosts)"
        ),
    ],
    "webhook-url-relative.yaml": [
        "webhook-url-relative.yaml:7:18: webhook_url must be an absolute https:// URL",
    ],
    "yaml-bad-indentation.yaml": [
        (
            "yaml-bad-indentation.yaml:4:4: invalid YAML: did not find expected '-' indicator "
            "(while parsing a block collection at line 3)"
        ),
    ],
    "yaml-control-character.yaml": [
        (
            "yaml-control-character.yaml:4:22: invalid YAML: control characters are not allowed "
            "(character #x0007)"
        ),
    ],
    "yaml-mapping-as-key.yaml": [
        "yaml-mapping-as-key.yaml:7:7: keys must be strings (got a list)",
    ],
    "yaml-merge-not-mapping.yaml": [
        "yaml-merge-not-mapping.yaml:7:9: a merge key (<<) takes a mapping or a list of mappings",
    ],
    "yaml-multiple-documents.yaml": [
        (
            "yaml-multiple-documents.yaml:7:1: invalid YAML: a manifest file holds one document; "
            "a second one starts here"
        ),
    ],
    "yaml-non-string-key.yaml": [
        "yaml-non-string-key.yaml:7:5: keys must be strings (got an integer '1')",
    ],
    "yaml-recursive-alias.yaml": [
        "yaml-recursive-alias.yaml:2:7: a recursive alias cannot be used in a manifest",
        "yaml-recursive-alias.yaml:2:7: jobs[0] must be a mapping (got null)",
    ],
    "yaml-tab-indentation.yaml": [
        (
            "yaml-tab-indentation.yaml:3:1: invalid YAML: found character that cannot start any "
            "token (while scanning for the next token at line 3); YAML indents with spaces, never "
            "tabs"
        ),
    ],
    "yaml-unclosed-quote.yaml": [
        (
            "yaml-unclosed-quote.yaml:5:1: invalid YAML: found unexpected end of stream (while "
            "scanning a quoted scalar at line 3)"
        ),
    ],
    "yaml-undefined-alias.yaml": [
        (
            "yaml-undefined-alias.yaml:5:14: invalid YAML: undefined alias 'standard_sources'; "
            'quote a value that starts with *, e.g. "*/15 * * * *"'
        ),
    ],
    "yaml-unquoted-at-alias.yaml": [
        (
            "yaml-unquoted-at-alias.yaml:6:15: invalid YAML: found character that cannot start "
            "any token (while scanning for the next token at line 6); quote a value that starts "
            'with @, e.g. "@daily"'
        ),
    ],
    "yaml-unquoted-star-step.yaml": [
        (
            "yaml-unquoted-star-step.yaml:6:16: invalid YAML: did not find expected alphabetic or "
            "numeric character (while scanning an alias at line 6); quote a value that starts "
            'with *, e.g. "*/15 * * * *"'
        ),
    ],
    "yaml-unsupported-tag.yaml": [
        "yaml-unsupported-tag.yaml:7:14: unsupported tag '!python/bool'",
    ],
}


def test_every_case_has_an_expectation_and_every_expectation_a_case() -> None:
    assert sorted(p.name for p in INVALID.iterdir()) == sorted(EXPECTED)


def test_the_corpus_covers_at_least_forty_failures() -> None:
    assert len(EXPECTED) >= 40


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_invalid_manifest(
    case: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(INVALID)
    code = main(["validate", case])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.splitlines() == EXPECTED[case]
    errors = sum(1 for line in EXPECTED[case] if ": warning: " not in line)
    assert captured.out.splitlines()[-1].endswith(f": {errors} error{'s' * (errors != 1)}")
    assert "Traceback" not in captured.err + captured.out
