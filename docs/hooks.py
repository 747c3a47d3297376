"""MkDocs hooks of simlab's site: the experiment records, included from
``experiments/<name>/`` (their README and figures, not copies), and links to files that are
not pages (source files, configs) shown as code paths instead of broken links."""

import posixpath
import re
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent
RECORDS = ROOT / "experiments"
LINK = re.compile(r"(?<!!)\[([^\]]+)\]\((?!https?://|mailto:|#)([^)\s]+)\)")


def on_files(files, config):
    """Add every record (README.md as the folder's page, its figures beside it)."""
    for path in sorted(RECORDS.glob("*/*")):
        if path.suffix.lower() in (".md", ".png", ".svg", ".jpg"):
            files.append(File(str(path.relative_to(ROOT)), src_dir=str(ROOT),
                              dest_dir=config["site_dir"], use_directory_urls=config[
                                  "use_directory_urls"]))
    return files


def on_nav(nav, config, files):
    """List the records under Experiments, after the table."""
    from mkdocs.structure.nav import Section
    from mkdocs.structure.pages import Page

    section = next(item for item in nav.items if isinstance(item, Section)
                   and item.title == "Experiments")
    for file in files:
        if file.src_uri.startswith("experiments/") and file.src_uri.endswith("README.md"):
            page = file.page or Page(None, file, config)
            section.children.append(page)
    return nav


def on_page_markdown(markdown, page, config, files):
    """A link to a file that is not part of the site becomes its path as code."""
    here = Path(page.file.src_uri).parent

    def fix(match):
        text, target = match.groups()
        path = target.split("#", 1)[0]
        if not path:
            return match.group(0)
        if files.get_file_from_path(posixpath.normpath((here / path).as_posix())) is not None:
            return match.group(0)
        return f"{text} (`{path.lstrip('./')}`)" if text.strip("`") != path else f"`{path}`"

    return LINK.sub(fix, markdown)
