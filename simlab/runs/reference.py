"""The tasks reference of the documentation, generated from the task schemas (the source
``simlab tasks NAME`` prints), never written by hand."""

from simlab import schema, tasks


def _cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown():
    """Markdown: per task its description, config groups and a table of every key with its
    default, type, what is allowed and what it means; then the keys every run has."""
    from simlab.runs import settings as run_settings

    out = ["Every task is run with `simlab task=NAME KEY=VALUE ...` (or "
           "`simlab.run(\"task=NAME\", ...)`); `simlab tasks NAME` prints the same keys.", ""]
    for name in tasks.names():
        task = tasks.get(name)
        out += [f"## `{name}`", "", task.description[0].upper() + task.description[1:] + ".",
                ""]
        if task.groups:
            out += ["Config groups: " + "; ".join(
                f"`{g}` (default `{o}`; options: "
                f"{', '.join(f'`{x}`' for x in run_settings.group_options(g))})"
                for g, o in task.groups.items()) + ".", ""]
        out += _table(schema.describe(task.config, constraints=True))
    out += ["## Keys of every run", ""]
    out += _table([r for r in schema.describe(run_settings.SharedConfig, constraints=True)
                   if r[0] != "task"])
    return "\n".join(out)


def _table(rows):
    lines = ["| key | default | type | allowed | meaning |", "|---|---|---|---|---|"]
    lines += [f"| `{key}` | `{_cell(default)}` | {_cell(kind)} | {_cell(allowed)} | "
              f"{_cell(doc)} |" for key, default, kind, allowed, doc in rows]
    return lines + [""]
