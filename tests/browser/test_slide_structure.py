"""Slide structure of the notebooks, and the slide exporter itself (no browser needed).

tests/test_notebook_lint.py already checks that every cell has a valid slide type and that
solutions are skipped; this file checks how the slides are put together, and
``course_utils.authoring.slides`` with its preprocessors and its npm-installed libraries.
"""

import base64
import json
import re
import shutil

import nbformat
import pytest
from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from course_utils.authoring import slide_preprocessors, slides, vendor
from course_utils.authoring.notebooks import read_notebook, source
from course_utils.authoring.slide_plan import slide_plan
from course_utils.authoring.slides import build_decks

import browser_helpers as bh

NOTEBOOKS = bh.notebooks()


def kind(cell):
    return cell.get("metadata", {}).get("slideshow", {}).get("slide_type", "-")


def notebook_of(*types, code_at=()):
    cells = []
    for i, slide_type in enumerate(types):
        make = new_code_cell if i in code_at else new_markdown_cell
        cell = make(f"# cell {i}" if i not in code_at else f"x = {i}")
        cell.metadata["slideshow"] = {"slide_type": slide_type}
        cells.append(cell)
    return new_notebook(cells=cells)


# --------------------------------------------------------------------------- the notebooks


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem[:2])
def test_slides_are_put_together_as_the_course_design_says(notebook):
    nb = read_notebook(notebook)
    cells = nb["cells"]
    problems = []
    if kind(cells[0]) != "slide":
        problems.append("the title cell is not of slide type 'slide'")
    for i, cell in enumerate(cells):
        if kind(cell) == "slide" and not (cell["cell_type"] == "markdown" and source(cell).lstrip().startswith("#")):
            problems.append(f"cell {i} opens a slide but is not a markdown heading (a section opens with its title)")
        if kind(cell) == "notes" and (cell["cell_type"] != "markdown" or not source(cell).strip()):
            problems.append(f"cell {i} is a speaker note but not a non-empty markdown cell")
        if kind(cell) != "skip" and not source(cell).strip():
            problems.append(f"cell {i} is empty but shown on a slide")
    rise = nb.get("metadata", {}).get("rise", {})
    if rise.get("theme") != "white":
        # RISE's default theme ('simple') imports Google Fonts: the slideshow would reach the internet
        problems.append(f"metadata.rise.theme is {rise.get('theme')!r}, not 'white' (the offline theme)")
    plan = slide_plan(nb)
    if "Summary" not in plan.subslides[-1].title:
        problems.append(f"the last slide is {plan.subslides[-1].title!r}, not the summary")
    if not any("Bugs in the wild" in s.title for s in plan.subslides):
        problems.append("no slide is titled 'Bugs in the wild'")
    assert problems == []


# --------------------------------------------------------------------------- slide_plan


def test_slide_plan_counts_slides_and_subslides_like_reveal():
    plan = slide_plan(notebook_of("slide", "-", "fragment", "subslide", "notes", "slide", "skip", "fragment"))
    assert (plan.total, plan.horizontal) == (3, 2)
    assert [(s.h, s.v, s.cells) for s in plan.subslides] == [(0, 0, (0, 1, 2)), (0, 1, (3, 4)), (1, 0, (5, 7))]
    assert (plan.fragments, plan.notes, plan.skipped) == (2, 1, 1)
    assert plan.locate(4).v == 1 and plan.locate(6) is None


def test_the_first_visible_cell_opens_slide_one_whatever_its_type():
    plan = slide_plan(notebook_of("skip", "notes", "fragment", "subslide", "-"))
    assert [(s.h, s.v, s.cells) for s in plan.subslides] == [(0, 0, (2,)), (0, 1, (3, 4))]
    assert plan.fragments == 0  # nbconvert turns that fragment into the first slide
    assert plan.notes == 1


def test_a_cell_without_metadata_continues_the_slide():
    nb = notebook_of("slide", "-")
    del nb.cells[1].metadata["slideshow"]
    assert slide_plan(nb).total == 1


def test_slide_plan_titles_come_from_headings_or_first_lines():
    nb = notebook_of("slide", "subslide", code_at=(1,))
    nb.cells[0].source = "Intro text\n\n## The real title"
    titles = [s.title for s in slide_plan(nb).subslides]
    assert titles == ["The real title", "(code) x = 1"]


@pytest.mark.parametrize(("nb", "message"), [
    (notebook_of("slide", "sub-slide"), "cell 1: slideshow.slide_type must be one of"),
    (notebook_of("skip", "notes"), "nothing to show"),
])
def test_slide_plan_explains_bad_metadata(nb, message):
    with pytest.raises(ValueError, match=message):
        slide_plan(nb)


def test_slide_plan_reads_a_path_a_dict_or_a_notebook_node_alike():
    path = NOTEBOOKS[0]
    as_dict = json.loads(path.read_text(encoding="utf-8"))
    assert slide_plan(path) == slide_plan(as_dict) == slide_plan(nbformat.read(path, as_version=4))


def test_slide_plan_checks_its_argument(tmp_path):
    with pytest.raises(ValueError, match="expected an existing .ipynb file"):
        slide_plan(tmp_path / "missing.ipynb")
    with pytest.raises(TypeError, match="path or a notebook dict"):
        slide_plan(42)


# --------------------------------------------------------------------------- the exporter


@pytest.fixture
def small_course(tmp_path):
    """A repository-like folder: notebooks/ with one notebook that shows ../figures/dot.png and a widget."""
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "dot.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)
    (tmp_path / "notebooks").mkdir()
    nb = notebook_of("slide", "-", "subslide", code_at=(2,))
    nb.cells[0].source = "# 09 · Test\n\n![a dot](../figures/dot.png) and <img src=\"../figures/dot.png\" width=\"10\">"
    nb.cells[1].source = "Maths: $x^2$. Next: [notebook 09](09_test.ipynb), not [this](10_missing.ipynb)."
    nb.cells[2].outputs = [nbformat.from_dict({
        "output_type": "display_data", "metadata": {},
        "data": {"text/plain": "  0%|          | 0/3", "application/vnd.jupyter.widget-view+json":
                 {"model_id": "box", "version_major": 2, "version_minor": 0}},
    })]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"version_major": 2, "version_minor": 0,
        "state": {
            "box": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_label", "IPY_MODEL_bar"]}},
            "label": {"model_name": "HTMLModel", "state": {"value": "epochs: 100%"}},
            "bar": {"model_name": "FloatProgressModel", "state": {"value": 3, "max": 3}},
        }}}
    nb.metadata["rise"] = {"width": 1024, "height": 768}
    path = tmp_path / "notebooks" / "09_test.ipynb"
    nbformat.write(nb, path)
    return path


def test_cdn_decks_point_at_the_locked_versions(small_course, tmp_path):
    decks = build_decks([small_course], tmp_path / "out", offline=False)
    html = decks[0].read_text()
    for name, pin in vendor.locked_packages().items():
        assert f"https://unpkg.com/{name}@{pin['version']}" in html
    assert "import mermaid" not in html
    assert "jsdelivr" not in html and "cdnjs" not in html  # no other CDN (widgets, fonts, mermaid)
    assert "width: 1024" in html and "height: 768" in html  # the notebook's rise metadata
    assert (tmp_path / "out" / "index.html").read_text().count("09_test.slides.html") == 1


def test_figures_are_embedded_and_widgets_shown_with_their_last_state(small_course, tmp_path):
    html = build_decks([small_course], tmp_path / "out", offline=False)[0].read_text()
    assert "../figures/dot.png" not in html
    dot = base64.b64encode((small_course.parents[1] / "figures" / "dot.png").read_bytes()).decode()
    assert html.count(f"data:image/png;base64,{dot}") == 2
    assert "epochs: 100%" in html
    assert re.search(r'<progress(?=[^>]*value="3")(?=[^>]*max="3")', html)
    assert "0/3" not in html  # tqdm's plain-text fallback is its first frame, not its last
    assert "application/vnd.jupyter.widget-view+json" not in html
    assert 'href="09_test.slides.html"' in html and 'href="10_missing.ipynb"' in html


@pytest.fixture
def npm_project(tmp_path):
    """A folder with the repository's package.json and package-lock.json and no node_modules/."""
    project = tmp_path / "project"
    project.mkdir()
    for name in ("package.json", "package-lock.json"):
        shutil.copy(vendor.PROJECT_DIR / name, project / name)
    return project


def fake_node_modules(project, versions):
    """node_modules/<name>/package.json with the given versions, and one file each deck loads."""
    for package in vendor.VENDOR_FILES:
        folder = project / "node_modules" / package.name
        folder.mkdir(parents=True)
        (folder / "package.json").write_text(json.dumps({"name": package.name, "version": versions[package.name]}))
        (folder / "LICENSE").write_text(f"{package.name} licence")
        (folder / "README.md").write_text("not loaded by a deck")


def test_without_npm_the_decks_fall_back_to_the_cdn_and_say_so(small_course, tmp_path, npm_project, capsys):
    decks = build_decks([small_course], tmp_path / "out", npm="no-such-npm-here", project_dir=npm_project)
    assert "https://unpkg.com/reveal.js@5.2.1" in decks[0].read_text()
    assert "NEED AN INTERNET CONNECTION" in capsys.readouterr().err
    with pytest.raises(RuntimeError, match="offline decks need npm"):
        build_decks([small_course], tmp_path / "out2", npm="no-such-npm-here", require_offline=True,
                    project_dir=npm_project)


def test_installed_node_modules_are_used_without_npm_and_copied_next_to_the_decks(
        small_course, tmp_path, npm_project):
    locked = vendor.locked_packages(npm_project)
    fake_node_modules(npm_project, {name: pin["version"] for name, pin in locked.items()})
    decks = build_decks([small_course], tmp_path / "out", npm="no-such-npm-here", require_offline=True,
                        project_dir=npm_project, log=lambda *_: None)
    html = decks[0].read_text()
    assert "unpkg.com" not in html and 'src="_vendor/requirejs-2.3.8/require.js"' in html
    for name, pin in locked.items():
        copied = tmp_path / "out" / "_vendor" / f"{name}-{pin['version']}"
        assert (copied / "LICENSE").read_text() == f"{name} licence"
        assert not (copied / "README.md").exists()  # only the files a deck loads
        assert (copied / vendor.MARKER).read_text().strip() == pin["integrity"]


def test_node_modules_of_other_versions_are_not_used(tmp_path, npm_project):
    versions = {name: pin["version"] for name, pin in vendor.locked_packages(npm_project).items()}
    fake_node_modules(npm_project, {**versions, "reveal.js": "6.0.0"})
    assert vendor.installed_node_modules(npm_project, npm="no-such-npm-here") is None


def test_package_json_pins_exactly_what_the_lock_holds(npm_project):
    manifest = json.loads((npm_project / "package.json").read_text())
    manifest["dependencies"]["reveal.js"] = "^5.2.1"
    (npm_project / "package.json").write_text(json.dumps(manifest))
    with pytest.raises(RuntimeError, match=r"asks for reveal.js '\^5.2.1' but package-lock.json has '5.2.1'"):
        vendor.locked_packages(npm_project)
    (npm_project / "package-lock.json").unlink()
    with pytest.raises(RuntimeError, match="package-lock.json is missing"):
        vendor.locked_packages(npm_project)


def test_the_command_line_reports_bad_arguments(tmp_path, capsys):
    assert slides.main([str(tmp_path / "nope.ipynb"), "--out", str(tmp_path)]) == 2
    assert "expected an existing .ipynb file" in capsys.readouterr().err
    with pytest.raises(ValueError, match="offline=False contradicts"):
        build_decks([], tmp_path, offline=False, require_offline=True)


def test_the_locked_versions_are_those_nbconvert_7_works_with():
    locked = vendor.locked_packages()
    # reveal.js 6 moved dist/ and plugin/ paths that nbconvert's reveal template loads;
    # MathJax 3 has no MathJax.Hub, which the template's slide-change handler calls.
    assert {name: pin["version"] for name, pin in locked.items()} == {
        "reveal.js": "5.2.1", "requirejs": "2.3.8", "jquery": "3.7.1", "mathjax": "2.7.9"}
    assert all(re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", pin["integrity"]) for pin in locked.values())


def test_the_exporter_runs_the_course_preprocessors_in_order():
    exporter = slides._exporter(vendor.asset_urls(None), 1280, 720)
    ours = [type(p) for p in exporter._preprocessors if type(p) in slide_preprocessors.PREPROCESSORS]
    assert ours == list(slide_preprocessors.PREPROCESSORS)
    assert all(issubclass(p, Preprocessor) for p in ours)
    assert all(p.enabled for p in exporter._preprocessors if type(p) in slide_preprocessors.PREPROCESSORS)


def test_each_preprocessor_works_alone_and_counts_what_it_changed(small_course):
    nb = nbformat.read(small_course, as_version=4)
    resources = {"metadata": {"path": str(small_course.parent)}}
    for preprocessor in slide_preprocessors.PREPROCESSORS:
        nb, resources = preprocessor(enabled=True)(nb, resources)
    assert resources["course_slides"] == {"embedded images": 2, "links to decks": 1, "static widgets": 1}
    assert source(nb.cells[0]).count("data:image/png;base64,") == 2
    assert "09_test.slides.html" in source(nb.cells[1]) and "10_missing.ipynb" in source(nb.cells[1])
    assert "widgets" not in nb.metadata
    assert nbformat.read(small_course, as_version=4).metadata["widgets"], "the file itself is not touched"


def test_embedding_stays_inside_the_root_folder(small_course, tmp_path):
    (tmp_path / "secret.png").write_bytes(b"\x89PNG\r\n\x1a\n")  # exists, but outside the root below
    cell = new_markdown_cell("![x](../secret.png) ![y](https://example.org/a.png) ![z](../figures/dot.png)")
    resources = {"metadata": {"path": str(small_course.parent)}}
    embed = slide_preprocessors.EmbedLocalImages(enabled=True, root=str(tmp_path / "figures"))
    cell, resources = embed.preprocess_cell(cell, resources, 0)
    assert "](../secret.png)" in cell.source and "https://example.org/a.png" in cell.source
    assert "../figures/dot.png" not in cell.source
    assert resources["course_slides"]["embedded images"] == 1
    with pytest.raises(ValueError, match="resources\\['metadata'\\]\\['path'\\] is missing"):
        slide_preprocessors.LinkSiblingDecks(enabled=True).preprocess_cell(cell, {}, 0)
