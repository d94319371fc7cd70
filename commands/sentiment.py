"""Commands for the sentiment area: train-sentiment, eval-sentiment, correct-sentiment."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from config.errors import InputError, NotFound
from commands.options import AppContext, common_options

DEFAULT_OUT = "models/sentiment"


def _load(model_dir: Path | None) -> Any:
    from nlp.sentiment import ModelFileError, load_default_model, load_model

    try:
        return load_model(model_dir) if model_dir else load_default_model()
    except ModelFileError as exc:
        raise InputError(str(exc)) from None


@click.command("train-sentiment")
@click.argument("corpus", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=DEFAULT_OUT, show_default=True,
              help="Folder to write the model to (model.json + weights.npz). Point MONITOR_SENTIMENT_MODEL "
                   "at it to make the analyse stage use it.")
@click.option("--include-corrections/--no-include-corrections", default=True, show_default=True,
              help="Also learn from the staff corrections stored in the database (correct-sentiment).")
@click.option("--base", type=click.Choice(["default", "empty"]), default="default", show_default=True,
              help="default: learn CORPUS on top of the material the shipped model learns from; "
                   "empty: learn CORPUS (and corrections) only.")
@common_options
def train_sentiment(corpus: Path, out_dir: Path, include_corrections: bool, base: str, app: AppContext) -> None:
    """Train a sentiment model from CORPUS and write it to --out.

    CORPUS is CSV with a header naming `text` and `label` columns, or JSON lines with `text` and
    `label` (or `sentiment`). Labels: neg/neu/pos, or 0/1/2 (= neg/neu/pos), or 0/1 (= neg/pos,
    when no row uses 2). A bad row stops training with "CORPUS line N: ..." and exit code 3.
    """
    from nlp.sentiment.corpus import read_corpus
    from nlp.sentiment.training import train

    records: list[tuple[str, str]] = read_corpus(corpus)
    corrections = 0
    if include_corrections:
        from storage.corrections import latest_labels, list_corrections

        pairs = latest_labels(list_corrections(app.db()))
        corrections = len(pairs)
        # A correction is a deliberate judgement by staff: weigh it above an ordinary row.
        records = records + [(text, label, 3.0) for text, label in pairs]  # type: ignore[misc]
    click.echo(f"training on {len(records)} rows ({corrections} corrections), base {base} ...", err=True)
    model = train(records, base=base, meta={"corpus": str(corpus), "corrections": corrections,
                                            "version": f"sentiment-custom-{base}"})
    folder = model.save(out_dir)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(model.meta.get("class_counts", {}).items()))
    click.echo(f"wrote {folder} ({model.meta.get('features')} features; rows: {counts})")
    click.echo(f"use it with: export MONITOR_SENTIMENT_MODEL={folder.resolve()}")


@click.command("eval-sentiment")
@click.argument("corpus", type=click.Path(path_type=Path))
@click.option("--model", "model_dir", type=click.Path(path_type=Path),
              help="Model folder written by train-sentiment [default: $MONITOR_SENTIMENT_MODEL or the shipped model].")
@common_options
def eval_sentiment(corpus: Path, model_dir: Path | None, app: AppContext) -> None:
    """Print accuracy, macro-F1 and the confusion matrix of a model on CORPUS.

    When CORPUS has no neutral rows the binary accuracy is printed too: the sign of the score
    decides neg or pos, so a neutral prediction still counts by the side it leans to.
    """
    from nlp.sentiment.corpus import read_corpus
    from nlp.sentiment.evaluation import evaluate, format_report

    records = read_corpus(corpus)
    model = _load(model_dir)
    report = evaluate(model, records)
    click.echo(format_report(report))


@click.command("correct-sentiment")
@click.argument("mention_id", type=int)
@click.argument("label", type=click.Choice(["neg", "neu", "pos"]))
@click.option("--by", "by", default="", help="Who made the correction (shown in reviews).")
@common_options
def correct_sentiment(mention_id: int, label: str, by: str, app: AppContext) -> None:
    """Store a staff correction: mention MENTION_ID has sentiment LABEL (neg, neu or pos)."""
    from storage.corrections import UnknownMention, add_correction

    try:
        item = add_correction(app.db(), mention_id=mention_id, label=label, corrected_by=by, corrected_at=app.now())
    except UnknownMention:
        raise NotFound(f"no mention with id {mention_id}") from None
    click.echo(f"stored correction {item.id}: mention {mention_id} is {label}"
               + (f" (by {by})" if by else ""))


COMMANDS: list[click.Command] = [train_sentiment, eval_sentiment, correct_sentiment]
