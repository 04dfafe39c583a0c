"""Tiny random BERT models built at test time (no download): enough to exercise the
sentence-transformers embedder and cross-encoder loading and scoring code."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import KOREAN_DOCS

TRAINING_TEXT = list(KOREAN_DOCS.values()) + [
    "근로자는 연차 유급휴가를 청구할 수 있다.",
    "한국은행은 물가 안정을 목표로 통화정책을 운영한다.",
    "query: passage: 질문 답변 문서 검색",
]


def build_tokenizer(directory: Path):  # noqa: ANN201 - transformers type
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import BertTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=False, strip_accents=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.train_from_iterator(TRAINING_TEXT * 3, trainers.WordPieceTrainer(vocab_size=400, special_tokens=specials))
    cls_id, sep_id = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)]
    )
    fast = BertTokenizerFast(
        tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
        mask_token="[MASK]", model_max_length=128,
    )
    fast.save_pretrained(directory)
    return fast


def _config(vocab_size: int, **extra: object):  # noqa: ANN202
    from transformers import BertConfig

    return BertConfig(vocab_size=vocab_size, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                      intermediate_size=128, max_position_embeddings=128, **extra)


def build_embedder(directory: Path) -> Path:
    import torch
    from transformers import BertModel

    torch.manual_seed(0)
    tokenizer = build_tokenizer(directory)
    BertModel(_config(tokenizer.vocab_size)).save_pretrained(directory)
    return directory


def build_cross_encoder(directory: Path) -> Path:
    import torch
    from transformers import BertForSequenceClassification

    torch.manual_seed(0)
    tokenizer = build_tokenizer(directory)
    BertForSequenceClassification(_config(tokenizer.vocab_size, num_labels=1)).save_pretrained(directory)
    return directory
