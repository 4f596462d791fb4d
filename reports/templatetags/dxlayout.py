"""The plan's layout in templates: its pages, and issues named the way its document names them."""

from django import template

from reports import layouts

register = template.Library()


@register.simple_tag
def layout_of(plan):
    return layouts.of(plan)


@register.simple_tag
def project_table_title(plan) -> str:
    return layouts.of(plan).project_table_title_for(plan)


@register.simple_tag
def report_subtitle(plan) -> str:
    return layouts.of(plan).report_subtitle_for(plan)


@register.simple_tag
def issue_pages(plan) -> list[dict]:
    """The pages each issue has in this plan's layout, with titles in the plan's wording."""
    return [
        {
            "slug": page.slug,
            "title": page.title_for(plan),
            "tab": page.tab_for(plan),
            "template": page.template,
            "show_as_of": page.show_as_of,
        }
        for page in layouts.of(plan).issue_pages
    ]


@register.simple_tag
def report_pages(plan, report, print_mode=False) -> list[dict]:
    """The issue's pages in the whole report; printed, pages with nothing to say are left out."""
    pages = issue_pages(plan)
    if not print_mode:
        return pages
    layout = layouts.of(plan)
    return [
        p for p, page in zip(pages, layout.issue_pages, strict=True) if page.printed_for(report)
    ]


@register.filter
def issue_heading(issue, plan) -> str:
    """01≪まちづくり≫ 01【観光】デジタル… / 基本施策1-1 安全・安心で快適な環境の整備"""
    return layouts.of(plan).issue_heading_for(plan, issue)


@register.filter
def issue_code(issue, plan) -> str:
    """01【観光】 / 1-1 安全・安心: the short name on charts and tables."""
    return layouts.of(plan).issue_code_for(plan, issue)


@register.filter
def lines(text) -> list[str]:
    """Bulleted text (one item per line) as its non-empty lines, for <ul> lists."""
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


@register.filter
def unbullet(line: str) -> str:
    """「・防災や…」→「防災や…」 where the list itself draws the bullet."""
    return line[1:].lstrip() if line[:1] in ("・", "•", "■", "-") else line


CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@register.filter
def circled(number) -> str:
    """3 → ③ (the documents number their areas and priority issues so)."""
    n = int(number)
    return CIRCLED[n - 1] if 1 <= n <= len(CIRCLED) else str(n)
