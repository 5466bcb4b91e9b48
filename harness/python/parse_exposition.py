"""Reads an exposition on standard input with prometheus_client's parser
and prints what it read as JSON on standard output, for the tests to compare
with what kvstats' own reader reads: the text format 0.0.4, or with
`--openmetrics` OpenMetrics 1.0.0 (the package's stricter parser, which
wants `# EOF`, `_total` on counter samples and units that end the name).

    {"families": [{"name": "..", "type": "counter", "help": "..", "unit": "",
                   "samples": [{"name": "..", "labels": [["k", "v"], ..],
                                "value": "0.25"}, ..]}, ..]}

Families and samples keep the order of the text, labels the order of their
sample line. prometheus_client names a counter family without its `_total`
(as OpenMetrics does); its samples keep it. A value is a string: `repr` of
the float (which reads back as the same float), or `NaN`, `+Inf`, `-Inf`,
which JSON has no numbers for. A text the parser refuses exits with status 1
and its error on standard error.
"""

import json
import math
import sys

from prometheus_client.openmetrics.parser import (
    text_string_to_metric_families as openmetrics_families,
)
from prometheus_client.parser import text_string_to_metric_families


def value_text(value):
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


def main():
    parse = text_string_to_metric_families
    if sys.argv[1:] == ["--openmetrics"]:
        parse = openmetrics_families
    elif sys.argv[1:]:
        print(f"usage: {sys.argv[0]} [--openmetrics] < TEXT", file=sys.stderr)
        return 2
    text = sys.stdin.read()
    try:
        families = [
            {
                "name": family.name,
                "type": family.type,
                "help": family.documentation,
                "unit": family.unit,
                "samples": [
                    {
                        "name": sample.name,
                        "labels": [[k, v] for k, v in sample.labels.items()],
                        "value": value_text(sample.value),
                    }
                    for sample in family.samples
                ],
            }
            for family in parse(text)
        ]
    except Exception as error:  # the parser raises ValueError and others
        print(f"prometheus_client cannot parse the text: {error!r}", file=sys.stderr)
        return 1
    json.dump({"families": families}, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
