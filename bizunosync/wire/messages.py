"""Bizuno's message block: ``{"error": [{"text": …}], "success": […], …}``.

Both peers merge these blocks recursively into their screen messages. An
empty block goes on the wire as an empty JSON list, as PHP encodes `[]`.
"""

from __future__ import annotations

LEVELS = ("error", "warning", "info", "success")
# Bizuno's msgAdd($text, 'caution') files the text under "warning" (model/msg.php,
# messageStack::add); the plugin's setNotices() reads only LEVELS. Read the
# spellings either peer may send, write only LEVELS.
_ALIASES = {"caution": "warning", "warn": "warning", "danger": "error", "msg": "info"}
# messageStack::add gives every info message a title, lang('information') unless one is passed.
INFO_TITLE = "Information"


class MessageBlock:
    def __init__(self):
        self._items: dict[str, list[dict]] = {level: [] for level in LEVELS}

    # building
    def add(self, level: str, text: str, title: str | None = None) -> "MessageBlock":
        level = _ALIASES.get(level, level)
        if level not in self._items:
            level = "info"
        item = {"text": str(text)}
        if title:
            item["title"] = str(title)
        self._items[level].append(item)
        return self

    def error(self, text, title=None):
        return self.add("error", text, title)

    def warning(self, text, title=None):
        return self.add("warning", text, title)

    def info(self, text, title=None):
        return self.add("info", text, title)

    def success(self, text, title=None):
        return self.add("success", text, title)

    def merge(self, other: "MessageBlock | dict | list | str | None") -> "MessageBlock":
        other = other if isinstance(other, MessageBlock) else MessageBlock.from_wire(other)
        for level in LEVELS:
            self._items[level].extend(dict(item) for item in other._items[level])
        return self

    # reading
    @classmethod
    def from_wire(cls, value) -> "MessageBlock":
        """Accept whatever a PHP peer sends: a block, `[]`, a bare string, None."""
        block = cls()
        if value is None or value == [] or value == "":
            return block
        if isinstance(value, str):
            return block.info(value)
        if isinstance(value, list):
            for item in value:
                block.merge(item)
            return block
        if not isinstance(value, dict):
            return block.info(str(value))
        for level, items in value.items():
            if isinstance(items, (str, int, float)):
                block.add(str(level), str(items))
                continue
            if isinstance(items, dict):
                items = list(items.values())
            for item in items or []:
                if isinstance(item, dict):
                    text = item.get("text", item.get("message", ""))
                    block.add(str(level), text, item.get("title"))
                else:
                    block.add(str(level), str(item))
        return block

    def items(self):
        """(level, text) pairs, errors first (Bizuno's default info title says nothing: left out)."""
        for level in LEVELS:
            for item in self._items[level]:
                text = item["text"]
                title = item.get("title")
                yield level, f"{title}: {text}" if title and title != INFO_TITLE else text

    def texts(self, level: str) -> list[str]:
        return [item["text"] for item in self._items[_ALIASES.get(level, level)]]

    @property
    def has_errors(self) -> bool:
        return bool(self._items["error"])

    def __bool__(self):
        return any(self._items.values())

    def __eq__(self, other):
        return isinstance(other, MessageBlock) and self.to_wire() == other.to_wire()

    def __repr__(self):
        return f"MessageBlock({self.to_wire()!r})"

    # writing
    def to_wire(self):
        return {level: [dict(i) for i in items] for level, items in self._items.items() if items} or []

    def to_php_wire(self):
        """The block as Bizuno's messageStack writes it, for answers to PHP peers.

        Same levels as ``to_wire``; each info message carries a title,
        "Information" unless it has its own (``['text'=>…, 'title'=>…]``).
        """
        wire = self.to_wire()
        if isinstance(wire, dict) and "info" in wire:
            wire["info"] = [{"text": i["text"], "title": i.get("title") or INFO_TITLE} for i in wire["info"]]
        return wire

    def render(self) -> str:
        """One line per message, for logs and the command line."""
        return "\n".join(f"{level}: {text}" for level, text in self.items())


def plural(count: int, noun: str) -> str:
    """'1 order', '3 orders': for the texts staff and cron mails read."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
