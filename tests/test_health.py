"""The health check: 200 when the database answers, 503 when it does not, and nothing else said."""

import json
import logging

import pytest
from django.db import OperationalError, connection
from django.urls import reverse


def database_down(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1 failed: secret details")


class TestHealth:
    def test_ok_when_the_database_answers(self, client, db, django_assert_num_queries):
        with django_assert_num_queries(1):  # SELECT 1, and no session or user lookup
            response = client.get(reverse("health"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert json.loads(response.content) == {"status": "ok"}
        assert "no-cache" in response["Cache-Control"]

    def test_same_answer_for_a_signed_in_user(self, client_for):
        response = client_for("coordination").get(reverse("health"))
        assert response.status_code == 200
        assert json.loads(response.content) == {"status": "ok"}

    def test_unavailable_when_the_database_does_not_answer(self, client, db, caplog):
        with caplog.at_level(logging.ERROR, logger="ctg"), connection.execute_wrapper(database_down):
            response = client.get(reverse("health"))
        assert response.status_code == 503
        assert json.loads(response.content) == {"status": "unavailable"}
        assert b"secret" not in response.content
        assert [record.levelname for record in caplog.records if record.name == "ctg"] == ["ERROR"]

    @pytest.mark.parametrize("method", ["post", "put", "delete"])
    def test_only_get(self, client, db, method):
        assert getattr(client, method)(reverse("health")).status_code == 405
