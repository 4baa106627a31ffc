"""The README's promises stay true: its first two commands exist and CI runs the test command."""

import re


def test_readme_leads_with_build_and_test(repo_root):
    readme = (repo_root / "README.md").read_text()
    first_block = re.search(r"```sh\n(.*?)```", readme, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in first_block.splitlines() if line.strip()]
    assert commands[:2] == ["make build", "make test"]
    makefile = (repo_root / "Makefile").read_text()
    assert re.search(r"^build: ", makefile, re.M) and re.search(r"^test: ", makefile, re.M)


def test_ci_runs_the_readme_test_command(repo_root):
    ci = (repo_root / ".ci" / "run").read_text()
    assert "make test" in ci


def test_readme_commands_exist_in_the_cli(repo_root):
    from galleyproof.cli import COMMANDS

    readme = (repo_root / "README.md").read_text()
    for name in re.findall(r"`galleyproof (\w+)", readme):
        assert name in COMMANDS, name


def test_readme_links_point_at_files(repo_root):
    readme = (repo_root / "README.md").read_text()
    for target in re.findall(r"\]\(((?!https?:)[^)#]+)\)", readme):
        assert (repo_root / target).exists(), target


def test_readme_names_every_bundled_journal_profile(repo_root):
    from galleyproof.export.profiles import list_profiles

    readme = (repo_root / "README.md").read_text()
    for profile in list_profiles():
        assert f"`{profile.id}`" in readme, profile.id


def test_readme_sample_checklist_matches_the_checks_an_export_runs(repo_root):
    # The README's sample shows real check labels; renaming a check must update the README too.
    readme = (repo_root / "README.md").read_text()
    sample = re.findall(r"^\| (?:PASS|FAIL|WARN) \| ([^|]+?) \|", readme, re.M)
    source = "".join(p.read_text() for p in (repo_root / "galleyproof" / "export").glob("*.py"))
    assert len(sample) >= 8
    assert [label for label in sample if label not in source] == []
