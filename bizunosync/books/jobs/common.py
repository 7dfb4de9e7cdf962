"""What the console's jobs share: the store's messages, kept on the job for staff."""

from __future__ import annotations

from bizunosync.wire.messages import MessageBlock

MAX_MESSAGES = 200


def keep_messages(result: dict, block: MessageBlock) -> None:
    """Append the store's messages to ``result["messages"]`` as {"level", "text"} rows, once each."""
    rows = result.setdefault("messages", [])
    seen = {(m["level"], m["text"]) for m in rows}
    for level, text in block.items():
        if (level, text) not in seen and len(rows) < MAX_MESSAGES:
            rows.append({"level": level, "text": text})
            seen.add((level, text))


def messages_line(result: dict, shown: int = 5) -> str:
    """The store's messages in one line (for a job summary and cron mail); "" when none."""
    rows = result.get("messages") or []
    if not rows:
        return ""
    texts = [m["text"].rstrip(".") for m in rows[:shown]]
    more = f" (and {len(rows) - shown} more)" if len(rows) > shown else ""
    return " The store said: " + "; ".join(texts) + more + "."
