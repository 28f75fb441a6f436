"""BERT uncased WordPiece tokenizer, hand-written (no tokenizers package): BasicTokenizer (clean, CJK, lowercase,
strip accents, punctuation) + greedy longest-match WordPiece over a vocab.txt. models/minilm.py loads the bundled
model's (load_tokenizer, token_ids)."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

SPECIAL_TOKENS: tuple[str, ...] = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
_CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F),
)


def _is_punctuation(ch: str) -> bool:
    """BERT: all non-alphanumeric printable ASCII, plus every Unicode P* category."""
    cp = ord(ch)
    return (33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126
            or unicodedata.category(ch).startswith("P"))


def _split_punctuation(word: str) -> list[str]:
    """'don't!' -> ['don', "'", 't', '!']: every punctuation char becomes its own token."""
    pieces: list[str] = [""]
    for ch in word:
        if _is_punctuation(ch):
            pieces += [ch, ""]
        else:
            pieces[-1] += ch
    return [p for p in pieces if p]


def read_vocab(path: str | Path) -> dict[str, int]:
    """vocab.txt -> {token: id}, id = 0-based line number."""
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    lines = lines[:-1] if lines[-1] == "" else lines
    return {tok.rstrip("\r"): idx for idx, tok in enumerate(lines)}


@dataclass(frozen=True, eq=False)
class WordPieceTokenizer:
    """BERT BasicTokenizer (clean, CJK, lowercase, strip accents, punctuation) + WordPiece."""

    vocab: dict[str, int]
    do_lower_case: bool = True
    strip_accents: bool | None = None  # None: strip iff do_lower_case (HF semantics)
    tokenize_chinese_chars: bool = True
    unk_token: str = "[UNK]"
    max_input_chars_per_word: int = 100
    never_split: frozenset[str] = frozenset(SPECIAL_TOKENS)

    def __post_init__(self) -> None:
        if self.unk_token not in self.vocab:
            raise ValueError(f"vocab has no unknown token {self.unk_token!r}")

    @classmethod
    def from_model_dir(cls, model_dir: str | Path) -> WordPieceTokenizer:
        """Build from vocab.txt + tokenizer_config.json (do_lower_case, strip_accents, ...) of a model folder."""
        folder = Path(model_dir)
        cfg_path = folder / "tokenizer_config.json"
        cfg = json.loads(cfg_path.read_text(encoding="utf-8")) if cfg_path.is_file() else {}
        return cls(read_vocab(folder / "vocab.txt"),
                   do_lower_case=bool(cfg.get("do_lower_case", True)),
                   strip_accents=cfg.get("strip_accents"),
                   tokenize_chinese_chars=bool(cfg.get("tokenize_chinese_chars", True)),
                   unk_token=str(cfg.get("unk_token", "[UNK]")))

    def _clean(self, text: str) -> str:
        """Drop NUL/U+FFFD/control chars, map whitespace to ' ', pad CJK chars with spaces."""
        out: list[str] = []
        for ch in text:
            cat = unicodedata.category(ch)
            if ch in " \t\n\r" or cat == "Zs":
                out.append(" ")
            elif ord(ch) in (0, 0xFFFD) or cat.startswith("C"):  # HF: any C* category
                continue
            elif self.tokenize_chinese_chars and any(a <= ord(ch) <= b for a, b in _CJK_RANGES):
                out.append(f" {ch} ")
            else:
                out.append(ch)
        return "".join(out)

    def _normalize(self, word: str) -> str:
        if self.do_lower_case:
            word = word.lower()
        if self.strip_accents or (self.strip_accents is None and self.do_lower_case):
            word = "".join(c for c in unicodedata.normalize("NFD", word)
                           if unicodedata.category(c) != "Mn")
        return word

    def basic_tokenize(self, text: str) -> list[str]:
        """Whitespace/punctuation-split, normalised words (special tokens kept intact)."""
        words: list[str] = []
        for word in self._clean(unicodedata.normalize("NFC", text)).split():
            if word in self.never_split:
                words.append(word)
            else:
                words.extend(_split_punctuation(self._normalize(word)))
        return words

    def wordpiece(self, word: str) -> list[str]:
        """Greedy longest-match-first split of one word; [UNK] if too long or unmatched."""
        if len(word) > self.max_input_chars_per_word:
            return [self.unk_token]
        pieces: list[str] = []
        start = 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    break
                end -= 1
            if end == start:
                return [self.unk_token]
            pieces.append(piece)
            start = end
        return pieces

    def tokenize(self, text: str) -> list[str]:
        return [p for word in self.basic_tokenize(text) for p in self.wordpiece(word)]

    def encode(self, text: str) -> list[int]:
        """Wordpiece ids of ``text`` WITHOUT special tokens ([CLS]/[SEP] are not added)."""
        return [self.vocab.get(p, self.vocab[self.unk_token]) for p in self.tokenize(text)]
