"""triggers: how well the assistant decides, on public data it was never trained on.

Reads EVAL_DATA_DIR (the data sets in shared/datasets) and reports, beside the published
reference figures, explicit-request recall and false alarms (Bitext), out-of-scope detection
and in-domain false escalation (CLINC150, Bitext), negative sentiment (airline tweets),
restatement ROC AUC (CLINC150 pairs), and the speed of one message's analysis and decision
against VADER alone, measured in the same run. Nothing here trains on these data sets.
"""

from __future__ import annotations

import csv
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.pipeline import FeatureUnion  # noqa: E402
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

from assistant.analysis import Analysis, analyse  # noqa: E402
from assistant.catalogue import shipped_intents, shipped_training_set  # noqa: E402
from assistant.cues import CueModel, load_or_train_cues  # noqa: E402
from assistant.intent import IntentModel, fingerprint, load_cached  # noqa: E402
from assistant.labels import IntentInfo  # noqa: E402
from assistant.likeness import question_similarities  # noqa: E402
from assistant.responders import LocalResponder  # noqa: E402
from assistant.retrieval import ArticleDoc, ArticleIndex  # noqa: E402
from assistant.sentiment import analyse_sentiment  # noqa: E402
from assistant.training import train_and_cache  # noqa: E402
from escalation.engine import default_policy, evaluate  # noqa: E402
from helpdesk import demo_data  # noqa: E402
from helpdesk.flows.turn import turn_from_analysis  # noqa: E402

# Bitext intents the demo store's assistant answers itself (the rest need a person or are
# requests for one).
ANSWERABLE = {
    "track_order", "delivery_period", "delivery_options", "change_shipping_address",
    "set_up_shipping_address", "cancel_order", "check_cancellation_fee", "check_refund_policy",
    "get_refund", "track_refund", "check_payment_methods", "check_invoice", "get_invoice",
    "create_account", "recover_password", "newsletter_subscription", "review", "change_order",
}  # fmt: skip
SAMPLE_PER_SET = int(os.environ.get("BENCH_SAMPLE", "0"))  # 0: every row
random.seed(7)


class Decider:
    """The demo store's assistant as a freshly migrated database serves it: every shipped
    intent, the demo articles in four languages, the default policy."""

    def __init__(self, model: IntentModel, cues: CueModel) -> None:
        self.model = model
        self.cues = cues
        articles = [
            ArticleDoc(
                i, row["title"], row["body"], row["tags"], (row["intents"],), row["language"]
            )
            for i, row in enumerate(demo_data.article_rows(), start=1)
        ]
        self.index = ArticleIndex(articles)
        self.responder = LocalResponder()
        self.intents = {
            code: IntentInfo(code, intent.name, intent.handling)
            for code, intent in shipped_intents().items()
        }
        self.policy = default_policy()

    def decide(self, text: str) -> tuple[Analysis, list[str]]:
        analysis = analyse(
            text,
            model=self.model,
            cues=self.cues,
            index=self.index,
            responder=self.responder,
            intents=self.intents,
        )
        info = self.intents.get(analysis.intent.intent)
        turn = turn_from_analysis(
            text, analysis, hand_over=info is not None and info.handling == "hand_over"
        )
        return analysis, [hit.category for hit in evaluate(turn, [], [], self.policy).triggers]


def sample(rows: list[Any]) -> list[Any]:
    return (
        random.sample(rows, SAMPLE_PER_SET)
        if SAMPLE_PER_SET and len(rows) > SAMPLE_PER_SET
        else rows
    )


def bitext(data: Path, decider: Decider) -> dict[str, Any]:
    rows = list(
        csv.DictReader(
            (
                data
                / "bitext_customer_support"
                / "Bitext_Sample_Customer_Support_Training_Dataset.csv"
            ).open()
        )
    )
    by_intent: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_intent[row["intent"]].append(row["instruction"])
    explicit: dict[str, list[bool]] = defaultdict(list)
    confidence_in_domain: list[bool] = []
    for intent, texts in by_intent.items():
        for text in sample(texts):
            _, fired = decider.decide(text)
            explicit[intent].append("explicit_request" in fired)
            if intent in ANSWERABLE:
                confidence_in_domain.append(bool(fired))
    others = [
        hit
        for intent, hits in explicit.items()
        if intent not in {"contact_human_agent", "contact_customer_service"}
        for hit in hits
    ]
    return {
        "explicit_recall_contact_human_agent": _rate(explicit["contact_human_agent"]),
        "explicit_false_alarm_other_intents": _rate(others),
        "explicit_rate_contact_customer_service": _rate(explicit["contact_customer_service"]),
        "in_domain_escalation_rate": _rate(confidence_in_domain),
        "in_domain_rows": len(confidence_in_domain),
        "targets": {
            "explicit_recall": ">= 0.98",
            "explicit_false_alarm": "< 0.01",
            "in_domain_escalation": "<= 0.05",
        },
    }


def clinc(data: Path, decider: Decider) -> dict[str, Any]:
    full = json.loads((data / "clinc150" / "data_full.json").read_text())
    oos = [text for text, _ in sample(full["oos_test"])]
    flagged = [("confidence" in decider.decide(text)[1]) for text in oos]
    return {
        "oos_escalated_on_confidence": _rate(flagged),
        "oos_rows": len(oos),
        "target": ">= 0.90",
        "reference_oos_recall": {
            "SVM": 0.18,
            "Rasa": 0.312,
            "MLP": 0.491,
            "BERT": 0.523,
            "TF-IDF+LR (0.3)": 0.827,
        },
    }


def restatement(data: Path, model: IntentModel, pairs: int = 2000) -> dict[str, Any]:
    test = json.loads((data / "clinc150" / "data_full.json").read_text())["test"]
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text, intent in test:
        by_intent[intent].append(text)
    intents = sorted(by_intent)
    same = [tuple(random.sample(by_intent[random.choice(intents)], 2)) for _ in range(pairs)]
    different = []
    for _ in range(pairs):
        first, second = random.sample(intents, 2)
        different.append((random.choice(by_intent[first]), random.choice(by_intent[second])))
    labels = [1] * pairs + [0] * pairs
    ours = [question_similarities(model, a, [b])[0] for a, b in same + different]
    vectorizer = FeatureUnion([
        ("w", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
        ("c", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
    ]).fit([t for t, _ in test])  # fmt: skip
    baseline = [
        float((vectorizer.transform([a]) @ vectorizer.transform([b]).T).toarray()[0, 0]) / 2
        for a, b in same + different
    ]
    return {
        "roc_auc": round(float(roc_auc_score(labels, ours)), 4),
        "baseline_tfidf_roc_auc": round(float(roc_auc_score(labels, baseline)), 4),
        "pairs": 2 * pairs,
        "target": ">= 0.90",
    }


def sentiment(data: Path, cues: CueModel) -> dict[str, Any]:
    rows = list(
        csv.DictReader((data / "twitter_airline_sentiment" / "Tweets_original_15col.csv").open())
    )
    truth = [row["airline_sentiment"] == "negative" for row in rows]
    moods = cues.read([row["text"] for row in rows]).mood
    ours = [
        analyse_sentiment(row["text"], learned=mood) for row, mood in zip(rows, moods, strict=True)
    ]
    vader = SentimentIntensityAnalyzer()
    vader_scores = [vader.polarity_scores(row["text"])["compound"] for row in rows]
    return {
        "ours_at_default_threshold": _precision_recall(
            [s.label == "negative" for s in ours], truth
        ),
        "ours_best_recall_at_precision_0_90": _recall_at_precision(
            [-s.score for s in ours], truth, 0.9
        ),
        "vader_at_minus_0_05": _precision_recall([v <= -0.05 for v in vader_scores], truth),
        "vader_best_recall_at_precision_0_90": _recall_at_precision(
            [-v for v in vader_scores], truth, 0.9
        ),
        "rows": len(rows),
        "target": "recall >= 0.70 at precision >= 0.90 (VADER alone: 0.44 at 0.90)",
    }


def speed(decider: Decider, texts: list[str]) -> dict[str, Any]:
    vader = SentimentIntensityAnalyzer()
    ours, baseline = [], []
    for text in texts:
        started = time.perf_counter()
        decider.decide(text)
        ours.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        vader.polarity_scores(text)
        baseline.append((time.perf_counter() - started) * 1000)
    ours.sort()
    baseline.sort()
    return {
        "analysis_and_decision_ms": {
            "p50": round(statistics.median(ours), 3),
            "p99": round(ours[int(0.99 * len(ours))], 3),
        },
        "vader_alone_ms": {
            "p50": round(statistics.median(baseline), 3),
            "p99": round(baseline[int(0.99 * len(baseline))], 3),
        },
        "ratio_p50": round(statistics.median(ours) / statistics.median(baseline), 1),
        "targets": {"p50": "< 2 ms", "p99": "< 10 ms"},
    }


def main() -> dict[str, Any]:
    directory = os.environ.get("EVAL_DATA_DIR")
    if not directory:
        print("triggers: skipped, set EVAL_DATA_DIR to the data sets folder (shared/datasets)")
        return {"name": "triggers", "skipped": "EVAL_DATA_DIR is not set"}
    data = Path(directory)
    cache = Path(settings.ASSISTANT_MODEL_DIR) / "bench"
    for stale in cache.glob("*.joblib"):
        stale.unlink()  # time a real training run, not a cache hit
    examples = shipped_training_set()
    # What a training run does: the held-out validation, then the model on everything.
    training = train_and_cache(examples, cache)
    model = load_cached(cache, fingerprint(examples))
    assert model is not None
    started = time.perf_counter()
    cues = load_or_train_cues(cache)
    cue_seconds = round(time.perf_counter() - started, 2)
    decider = Decider(model, cues)
    texts = [
        row[0]
        for row in json.loads((data / "clinc150" / "data_full.json").read_text())["test"][:2000]
    ]
    return {
        "name": "triggers",
        "training_seconds": training["seconds"],
        "training_examples": len(examples),
        "validation": training["validation"],
        "cue_model_training_seconds": cue_seconds,
        "bitext": bitext(data, decider),
        "clinc_out_of_scope": clinc(data, decider),
        "restatement": restatement(data, model),
        "sentiment_airline_tweets": sentiment(data, cues),
        "speed": speed(decider, texts),
    }


def table(result: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    if "skipped" in result:
        return [("triggers", "skipped", result["skipped"], "", "")]
    bitext, clinc = result["bitext"], result["clinc_out_of_scope"]
    mood, pairs, speed = result["sentiment_airline_tweets"], result["restatement"], result["speed"]
    ours_at_90 = mood["ours_best_recall_at_precision_0_90"]["recall"]
    vader_at_90 = mood["vader_best_recall_at_precision_0_90"]["recall"]
    return [
        ("triggers", "explicit recall, Bitext contact_human_agent (>= 0.98)", f"{bitext['explicit_recall_contact_human_agent']:.3f}", "", ""),
        ("triggers", "explicit false alarms, other Bitext intents (< 0.01)", f"{bitext['explicit_false_alarm_other_intents']:.4f}", "", ""),
        ("triggers", "explicit on contact_customer_service (reported apart)", f"{bitext['explicit_rate_contact_customer_service']:.3f}", "", ""),
        ("triggers", "CLINC150 out-of-scope escalated on confidence (>= 0.90)", f"{clinc['oos_escalated_on_confidence']:.3f}", "BERT 0.523, TF-IDF+LR 0.827", ""),
        ("triggers", "Bitext answerable queries escalated (<= 0.05)", f"{bitext['in_domain_escalation_rate']:.3f}", "", ""),
        ("triggers", "tweets: negative recall at precision >= 0.90 (>= 0.70)", f"{ours_at_90:.3f}", f"VADER {vader_at_90:.3f}", f"{ours_at_90 / vader_at_90:.2f}x"),
        ("triggers", "restatement ROC AUC, CLINC150 pairs (>= 0.90)", f"{pairs['roc_auc']:.3f}", f"TF-IDF cosine {pairs['baseline_tfidf_roc_auc']:.3f}", f"{pairs['roc_auc'] / pairs['baseline_tfidf_roc_auc']:.2f}x"),
        ("triggers", "analysis + decision per message, p50 / p99", f"{speed['analysis_and_decision_ms']['p50']:.2f} / {speed['analysis_and_decision_ms']['p99']:.2f} ms", f"VADER {speed['vader_alone_ms']['p50']:.3f} ms", f"{speed['ratio_p50']:.0f}x"),
        ("triggers", "shipped model training with validation (< 60 s)", f"{result['training_seconds']:.1f} s", "", ""),
    ]  # fmt: skip


def _rate(flags: list[bool]) -> float:
    return round(sum(flags) / len(flags), 4) if flags else 0.0


def _precision_recall(predicted: list[bool], truth: list[bool]) -> dict[str, float]:
    true_positive = sum(p and t for p, t in zip(predicted, truth, strict=True))
    return {
        "precision": round(true_positive / max(sum(predicted), 1), 4),
        "recall": round(true_positive / max(sum(truth), 1), 4),
    }


def _recall_at_precision(
    scores: list[float], truth: list[bool], precision: float
) -> dict[str, float | None]:
    """Sweep the threshold; the best recall whose precision is still at least `precision`."""
    ranked = sorted(zip(scores, truth, strict=True), key=lambda pair: pair[0], reverse=True)
    positives, best, threshold, hits = sum(truth), 0.0, None, 0
    for count, (score, is_negative) in enumerate(ranked, start=1):
        hits += is_negative
        if hits / count >= precision and hits / positives > best:
            best, threshold = hits / positives, score
    return {
        "recall": round(best, 4),
        "threshold": round(-threshold, 4) if threshold is not None else None,
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
