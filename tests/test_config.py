"""Project settings: where they are found, what they hold, and the errors that name the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from pdlint.config import REGIONS, SettingsError, find_settings
from pdlint.pagerduty.settings import API_URL_EU, API_URL_US, REGION_URLS, resolve_client_config

PYPROJECT = "pyproject.toml"
YAML = ".pdlint.yaml"


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(("files", "cwd", "expected"), [
    pytest.param({}, ".", (None, None, None, None), id="none"),
    pytest.param({PYPROJECT: "[tool.ruff]\nline-length = 100\n"}, ".", (None, None, None, None),
                 id="pyproject-without-pdlint"),
    pytest.param({PYPROJECT: "[project\nbroken = \n"}, ".", (None, None, None, None),
                 id="another-tool-s-broken-pyproject-is-not-read"),
    pytest.param({PYPROJECT: '[tool.pdlint]\npolicy = "compliance/pd"\nfail-on = "warning"\n'},
                 ".", ("pyproject.toml [tool.pdlint]", "compliance/pd", "warning", None),
                 id="pyproject"),
    pytest.param({YAML: "policy: pd\nregion: eu\n"}, ".", (".pdlint.yaml", "pd", None, "eu"),
                 id="yaml"),
    pytest.param({YAML: ""}, ".", (".pdlint.yaml", None, None, None), id="empty-yaml"),
    pytest.param({PYPROJECT: '[tool.pdlint]\npolicy = "policy"\n', "sub/deeper/.keep": ""},
                 "sub/deeper", ("pyproject.toml [tool.pdlint]", "../../policy", None, None),
                 id="found-in-a-parent-policy-relative-to-the-file"),
    pytest.param({PYPROJECT: '[tool.pdlint]\npolicy = "policy"\n', "repo/.git/HEAD": "",
                  "repo/src/.keep": ""}, "repo/src", (None, None, None, None),
                 id="not-looked-for-past-the-repository-root"),
])
def test_settings_found(tmp_path: Path, files: dict[str, str], cwd: str,
                        expected: tuple[str | None, ...]) -> None:
    """``expected``: (the file, from the search's root, then policy, fail-on and region)."""
    write(tmp_path, files)
    start = tmp_path / cwd
    start.mkdir(parents=True, exist_ok=True)
    found = find_settings(start)
    source = found.source.replace(f"{tmp_path}/", "", 1) if found.source else None
    assert (source, found.policy, found.fail_on, found.region) == expected


@pytest.mark.parametrize(("files", "message"), [
    pytest.param({PYPROJECT: '[tool.pdlint]\npolcy = "x"\n'},
                 "pyproject.toml [tool.pdlint]: unknown setting 'polcy'; known: policy, fail-on, "
                 "region", id="misspelt"),
    pytest.param({PYPROJECT: '[tool.pdlint]\nfail-on = "errors"\n'},
                 "fail-on must be one of error, warning, never, not 'errors'", id="fail-on"),
    pytest.param({YAML: "region: mars\n"}, ".pdlint.yaml: region must be one of us, eu, not "
                                           "'mars'", id="region"),
    pytest.param({YAML: "policy: 3\n"}, "policy must be a path, not 3", id="policy-type"),
    pytest.param({YAML: "- policy\n"}, "must be a table of settings, not list", id="not-a-table"),
    pytest.param({YAML: "policy: [a\n"}, ".pdlint.yaml:2:1: not valid YAML (while parsing a "
                 "flow sequence; expected ',' or ']', but got '<stream end>')", id="yaml-syntax"),
    pytest.param({PYPROJECT: "[tool.pdlint\npolicy = 1\n"}, "pyproject.toml: not valid TOML",
                 id="toml-syntax"),
    pytest.param({PYPROJECT: '[tool.pdlint]\npolicy = "a"\n', YAML: "policy: b\n"},
                 "both hold pdlint settings; keep one", id="two-files"),
    pytest.param({PYPROJECT: "[tool.pdlint]\ntoken = 'secret'\n"}, "unknown setting 'token'",
                 id="no-token-setting"),
])
def test_bad_settings_name_the_file_and_setting(tmp_path: Path, files: dict[str, str],
                                                message: str) -> None:
    write(tmp_path, files)
    with pytest.raises(SettingsError) as raised:
        find_settings(tmp_path)
    assert message in str(raised.value)
    assert str(tmp_path) in str(raised.value)


def test_a_current_folder_that_is_gone_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="the current folder cannot be read"):
        find_settings(tmp_path / "removed")


@pytest.mark.parametrize(("api_url", "region", "environ", "setting", "expected"), [
    (None, None, {}, None, API_URL_US),
    (None, None, {}, "eu", API_URL_EU),
    (None, None, {"PAGERDUTY_API_URL": "https://proxy.example.com"}, "eu",
     "https://proxy.example.com"),
    (None, "us", {}, "eu", API_URL_US),
    ("https://other.example.com", None, {}, "eu", "https://other.example.com"),
], ids=["default", "setting", "environment-first", "option-first", "url-option-first"])
def test_the_region_setting_comes_after_options_and_environment(
        api_url: str | None, region: str | None, environ: dict[str, str], setting: str | None,
        expected: str) -> None:
    config = resolve_client_config(api_url=api_url, region=region, token_file=None,
                                   environ={"PAGERDUTY_API_TOKEN": "t", **environ},
                                   region_setting=setting)
    assert config.api_url == expected


def test_the_settings_know_the_regions_the_client_knows() -> None:
    """config may not import the client (its door), so it names the regions itself."""
    assert set(REGIONS) == set(REGION_URLS)
