"""What `salesflow up` says before starting anything when a store cannot be used."""
from __future__ import annotations

import pytest

from services.runtime.preflight import StartRefused, check_stores, describe
from services.runtime.settings import Settings


def test_the_database_is_described_without_its_password() -> None:
    settings = Settings(db_url="postgresql://sales:s3cret@db.example:6543/salesflow")
    assert describe(settings) == "PostgreSQL db.example:6543/salesflow"


def test_a_database_url_of_another_kind_is_refused_in_one_sentence_naming_the_setting() -> None:
    settings = Settings(db_url="mysql://root:s3cret@db.example/salesflow")
    with pytest.raises(StartRefused) as refused:
        check_stores(settings)
    sentence = str(refused.value)
    assert sentence.startswith("cannot open the sales store (mysql:// db.example")
    assert "must be a postgresql:// URL" in sentence and "SALESFLOW_DB_URL" in sentence
    assert "无法打开 sales 的数据存储" in sentence and "s3cret" not in sentence and "\n" not in sentence
