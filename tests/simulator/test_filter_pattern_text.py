"""Term and space-delimited filter patterns, on raw messages (the docs' examples) and on CloudTrail
records seen as compact JSON text."""

from __future__ import annotations

import pytest

from checker.simulator.filter_pattern import PatternError, event_message, parse

FATAL = "[ERROR] A fatal exception has occurred"
EXITING = "Exiting with ERRORCODE: -1"
BOTH = "ERROR WARN message"
ERROR_ONLY = "ERROR message"
WARN_ONLY = "WARN message"

LOGIN = {
    "eventVersion": "1.08",
    "userIdentity": {"type": "IAMUser", "userName": "alice"},
    "eventSource": "signin.amazonaws.com",
    "eventName": "ConsoleLogin",
    "awsRegion": "us-east-1",
    "errorMessage": "Failed authentication",
    "responseElements": {"ConsoleLogin": "Failure"},
    "readOnly": False,
}


def matching(text: str, messages: list[str]) -> list[str]:
    pattern = parse(text)
    return [m for m in messages if pattern.matches_message(m)]


# --- terms -------------------------------------------------------------------------------------


def test_terms_are_case_sensitive_substrings() -> None:
    assert matching("ERROR", [FATAL, EXITING]) == [FATAL, EXITING]  # ERRORCODE contains ERROR
    assert matching("error", [FATAL, EXITING]) == []
    assert matching('"ERROR" -"Exiting"', [FATAL, EXITING]) == [FATAL]
    assert matching('"ERROR" - "Exiting"', [FATAL, EXITING]) == [FATAL]  # the docs' spelling


def test_docs_or_examples() -> None:
    messages = [BOTH, ERROR_ONLY, WARN_ONLY]
    assert matching("ERROR", messages) == [BOTH, ERROR_ONLY]
    assert matching("?ERROR ?WARN", messages) == messages
    assert matching("ERROR WARN", messages) == [BOTH]
    assert matching("ERROR -WARN", messages) == [ERROR_ONLY]


def test_phrases_keep_their_spaces() -> None:
    hit = "[ERROR] Unable to continue: Failed to process the request"
    miss = "Failed: process the request"
    assert matching('"Failed to process the request"', [hit, miss]) == [hit]
    assert matching("Failed to process the request", [hit, miss]) == [hit]  # all terms
    assert matching("Failed to process the request", [miss]) == []


def test_question_mark_terms_next_to_other_terms_are_ignored() -> None:
    # FilterAndPatternSyntax (current): "If you combine "?" with other filter patterns, all
    # question mark terms will be ignored". This replaces the earlier reading of `?a b ?c` as
    # (a and b) or c, the form the AWS CDK's anyTermGroup writes; a caveat flags that form.
    pattern = parse('?"ERROR" "MainThread" ?"WARN" "Deadlock"')
    assert pattern.matches_message("INFO MainThread Deadlock")
    assert not pattern.matches_message("ERROR in MainThread")
    assert not pattern.matches_message("WARN Deadlock found")
    assert any("ignored" in c for c in pattern.caveats)


def test_regex_terms() -> None:
    assert matching("%AUTHORIZED%", ["[ERROR 401] UNAUTHORIZED REQUEST",
                                     "[SUCCESS 200] AUTHORIZED REQUEST", "denied"]) == [
        "[ERROR 401] UNAUTHORIZED REQUEST", "[SUCCESS 200] AUTHORIZED REQUEST"]
    assert matching("%^ERROR [0-9]+%", ["ERROR 42 x", "x ERROR 42"]) == ["ERROR 42 x"]


@pytest.mark.parametrize("text", ["", "   ", '""', '" "', ' "  " '])
def test_match_everything(text: str) -> None:
    pattern = parse(text)
    assert pattern.kind == "all"
    assert pattern.matches(LOGIN) and pattern.matches_message("")
    assert str(pattern) == '""' and parse(str(pattern)) == pattern


def test_terms_on_records_use_compact_json() -> None:
    assert parse("ConsoleLogin").matches(LOGIN)
    assert not parse("consolelogin").matches(LOGIN)
    assert parse('"Failed authentication"').matches(LOGIN)
    assert parse('"Failed authentication" -AccessDenied').matches(LOGIN)
    assert not parse('"Failed authentication" -IAMUser').matches(LOGIN)
    # The record text is compact JSON: no space after ':' or ','.
    assert parse(r'"\"eventName\":\"ConsoleLogin\""').matches(LOGIN)
    assert not parse(r'"\"eventName\": \"ConsoleLogin\""').matches(LOGIN)
    assert event_message({"a": [1, "é"]}) == '{"a":[1,"é"]}'


def test_terms_canonical_form_round_trips() -> None:
    for text in ["ERROR", "ERROR -WARN", "?ERROR ?WARN", '?"a b" c ?-d', '"q\\"uote"', "%x+%",
                 "A ?B"]:
        pattern = parse(text)
        assert pattern.kind == "terms"
        assert parse(str(pattern)) == pattern
        assert str(parse(str(pattern))) == str(pattern)
    assert str(parse("ERROR   -WARN")) == '"ERROR" -"WARN"'
    assert str(parse("?ERROR ?WARN")) == '?"ERROR" ?"WARN"'


def test_term_caveats() -> None:
    assert parse("ERROR").caveats == ()
    assert parse("10.0.0.1").caveats  # the docs want non-alphanumeric terms quoted
    assert parse("A ?B").caveats  # a plain term before the first '?' is undocumented


@pytest.mark.parametrize(("text", "position"), [
    ('"unterminated', 0),
    ("ERROR ?", 7),
    ("ERROR -", 7),
    ("%a(b)%", 2),
    ("%%", 0),
    ("%a% %b% %c%", 8),
])
def test_term_errors(text: str, position: int) -> None:
    with pytest.raises(PatternError) as err:
        parse(text)
    assert err.value.position == position, str(err.value)


# --- space-delimited ---------------------------------------------------------------------------

APACHE_200 = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534'
APACHE_500 = '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324'
APACHE_404 = '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /index.html HTTP/1.0" 404 934'
APACHE = [APACHE_200, APACHE_500, APACHE_404]


@pytest.mark.parametrize(("text", "expected"), [
    ("[ip, user, username, timestamp, request, status_code, bytes]", APACHE),
    # 7 fields, 6 columns: the current page matches on the first fields (see the dispute test)
    ("[ip, user, username, timestamp, request, status_code]", APACHE),
    ("[ip, user, username, timestamp, request, status_code = 404]", [APACHE_404]),
    ("[..., status_code, bytes]", APACHE),
    ("[ip, user, ..., status_code, bytes]", APACHE),
    ("[ip, user, ...]", APACHE),
    ("[ip, user, username, timestamp, request, status_code, bytes > 1000]",
     [APACHE_200, APACHE_500]),
    ("[ip, user, username, timestamp, request, status_code = 200, bytes]", [APACHE_200]),
    ("[ip, user, username, timestamp, request, status_code = 4*, bytes]", [APACHE_404]),
    ("[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", [APACHE_404]),
    ("[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]",
     [APACHE_404]),
    ("[ip, user, username, timestamp, request, status_code >= 400 && status_code != 404, bytes]",
     [APACHE_500]),
    ('[ip, user, username, timestamp, request = "GET /apache_pb.gif HTTP/1.0", status_code, '
     "bytes]", [APACHE_200, APACHE_500]),
    ("[ip, user, username = frank, timestamp = *13:35*, ...]", [APACHE_500]),
    ("[..., request=*.html*, status_code=4*,]", [APACHE_404]),  # the docs' trailing comma
    ("[ip, user, username, timestamp, request, status_code, bytes = %^[0-9]{4}$%]",
     [APACHE_200, APACHE_500]),
    ("[ip=127.0.0.1, ...]", APACHE),
    ("[ip, user > 0, ...]", []),  # numeric comparison on a non-number field
])
def test_space_delimited_docs_examples(text: str, expected: list[str]) -> None:
    assert matching(text, APACHE) == expected


def test_space_delimited_or_and_and_on_words() -> None:
    # The 2020 page said `[w1=ERROR, w2]` matches "ERROR message" but not "ERROR WARN message";
    # the current page says it returns the lines whose first word is ERROR, so both match now
    # (and `evaluate_message` calls the three-field line unknown).
    messages = [BOTH, ERROR_ONLY, WARN_ONLY]
    assert matching("[w1=ERROR, w2]", messages) == [BOTH, ERROR_ONLY]
    assert matching("[w1=ERROR || w1=WARN, w2]", messages) == messages
    assert matching("[w1!=ERROR&&w1!=WARN, w2]", [*messages, "INFO message"]) == ["INFO message"]


def test_space_delimited_on_records() -> None:
    # Compact JSON has no spaces outside string values: "Failed authentication" splits it in two.
    assert parse("[first, second]").matches(LOGIN)
    assert parse("[first, second, third]").evaluate(LOGIN).match is False  # two fields only
    assert parse("[only]").matches(LOGIN)  # current page; the 2020 revision disagrees
    assert parse("[only]").evaluate(LOGIN).match is None
    assert parse('[head = *ConsoleLogin*, tail = authentication*]').matches(LOGIN)


def test_space_delimited_canonical_form() -> None:
    pattern = parse("[ip,user, ..., status_code=4* && status_code!=403 || status_code=500,bytes,]")
    assert str(pattern) == (
        '[ip, user, ..., status_code = "4*" && status_code != 403 || status_code = 500, bytes, ]'
    )
    assert parse(str(pattern)) == pattern
    assert pattern.kind == "space_delimited"


@pytest.mark.parametrize(("text", "position", "words"), [
    ("[a, ..., b, ...]", 12, "at most one '...'"),
    ("[a = 1 && b = 2]", 10, "must name 'a'"),  # awsdocs/amazon-cloudwatch-logs-user-guide#21
    ("[a, b", 5, "expected ',' or ']'"),
    ("[]", 1, "expected a column name"),
    ("[a, , b]", 4, "expected a column name"),
    ('["a", b]', 1, "expected a column name"),
    ("[a > x]", 5, "expected a number"),
    ("[a = ]", 5, "expected a value"),
    ("[a] b", 4, "after the closing"),
])
def test_space_delimited_errors(text: str, position: int, words: str) -> None:
    with pytest.raises(PatternError) as err:
        parse(text)
    assert err.value.position == position, str(err.value)
    assert words in err.value.message


# --- the current page's term, regex and space-delimited examples -----------------------------
# Source: CloudWatch Logs User Guide, "Filter pattern syntax for metric filters, subscription
# filters, filter log events, and Live Tail" (FilterAndPatternSyntax), sections "Using filter
# patterns to match terms with a regular expression", "... in unstructured log events" and
# "... in space-delimited log events".

E400, E401 = "[ERROR 400] BAD REQUEST", "[ERROR 401] UNAUTHORIZED REQUEST"
E419, E420 = "[ERROR 419] MISSING ARGUMENTS", "[ERROR 420] INVALID ARGUMENTS"
E500 = "[ERROR 500] INTERNAL SERVER ERROR"
INFO_FAILED, WARN_UNAUTH, ERROR_BAD = ("[INFO] REQUEST FAILED", "[WARN] UNAUTHORIZED REQUEST",
                                       "[ERROR] 400 BAD REQUEST")  # fmt: skip
UNSTRUCTURED = [E400, E401, E419, E420, E500, INFO_FAILED, WARN_UNAUTH, ERROR_BAD]


@pytest.mark.parametrize(("text", "expected"), [
    ("ERROR", [E400, E401, E419, E420, E500, ERROR_BAD]),  # single term
    ("ERROR ARGUMENTS", [E419, E420]),  # multiple terms: all of them
    ("?ERROR ?ARGUMENTS", [E400, E401, E419, E420, E500, ERROR_BAD]),  # optional terms
    # "If you combine "?" with other filter patterns, all question mark terms will be ignored."
    ("?ERROR ?ARGUMENTS REQUEST", [E400, E401, INFO_FAILED, WARN_UNAUTH, ERROR_BAD]),
    ('"INTERNAL SERVER ERROR"', [E500]),  # exact phrase
    ("ERROR -ARGUMENTS", [E400, E401, E500, ERROR_BAD]),  # include and exclude
    ('" "', UNSTRUCTURED),  # match everything
    ("%AUTHORIZED%", [E401, WARN_UNAUTH]),  # regex
])
def test_current_page_unstructured_examples(text: str, expected: list[str]) -> None:
    assert matching(text, UNSTRUCTURED) == expected


def test_question_marks_next_to_exclusions_are_ignored_too() -> None:
    # "You cant' combine the question mark ("?") with other filter patterns, such as include
    # and exclude terms": `?ERROR -REQUEST` is `-REQUEST`.
    assert matching("?ERROR -REQUEST", UNSTRUCTURED) == [E419, E420, E500]
    assert matching("?ERROR ?-REQUEST", [E400, "hello"]) == [E400, "hello"]  # all optional


SPACE_LINE = ('127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" '
              "404 1534")


@pytest.mark.parametrize("text", [
    r"[ip=%127\.0\.0\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, "
    "bytes]",
    "[..., request =*.html*, status_code = 4*, bytes]",
    "[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, "
    "bytes]",
])
def test_current_page_space_delimited_examples(text: str) -> None:
    pattern = parse(text)
    assert pattern.evaluate_message(SPACE_LINE).match is True
    assert pattern.evaluate_message(SPACE_LINE.replace(" 404 ", " 500 ")).match is False


SERVICE_LOG = [
    "INFO 09/25/2014 12:00:00 GET /service/resource/67 1200",
    "INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310",
    "WARNING 09/25/2014 12:00:02 Invalid user request",
    "ERROR 09/25/2014 12:00:02 Failed to process request",
]
GET, POST, WARNING, ERROR = SERVICE_LOG


@pytest.mark.parametrize(("text", "expected"), [
    ("[w1=ERROR, w2]", [ERROR]),  # "returns log events where the first word ... is ERROR"
    ("[w1=ERROR || w1=WARNING, w2]", [WARNING, ERROR]),
    ("[w1!=ERROR && w1!=WARNING, w2]", [GET, POST]),
    ("[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]", [GET]),
    ("[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, "
     "response_time]", [POST]),
])
def test_current_page_terms_in_order(text: str, expected: list[str]) -> None:
    assert matching(text, SERVICE_LOG) == expected


def test_more_fields_than_columns_is_unknown_where_the_revisions_disagree() -> None:
    # The current page matches `[w1=ERROR, w2]` on "ERROR 09/25/2014 ... request" (7 fields);
    # its 2020 revision (awsdocs @5ae5c9a) said it matches "ERROR message" but not
    # "ERROR WARN message". Where the answer depends on which, the verdict is unknown.
    pattern = parse("[w1=ERROR, w2]")
    assert pattern.matches_message(ERROR)  # the current page
    verdict = pattern.evaluate_message(ERROR)
    assert verdict.match is None and "2020 revision" in verdict.reason
    assert pattern.evaluate_message(ERROR_ONLY).match is True  # as many fields as columns
    assert pattern.evaluate_message(GET).match is False  # no match under either reading
    assert pattern.evaluate_message("ERROR").match is False  # fewer fields than columns
    assert parse("[w1=ERROR, ...]").evaluate_message(ERROR).match is True  # `...`: no doubt
