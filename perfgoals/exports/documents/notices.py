"""Documents of many parts: a notice with its attachments, a department's whole text and a
special-fund summary."""

from allocations.selectors import number_paragraphs
from perfgoals.display import chinese_date, cn_number, one_line
from perfgoals.exports.documents import (
    Cover,
    Document,
    Narrative,
    NoticeBody,
    PartTitle,
    Placeholder,
    Toc,
    TocEntry,
    safe_filename,
)
from perfgoals.exports.documents.allocations import allocation_grid
from perfgoals.exports.documents.special_funds import summary_grids
from perfgoals.exports.documents.targets import dept_project_grid, stamped, table_grids
from perfgoals.exports.grid import Grid
from perfgoals.exports.selectors import DepartmentExport, NoticeExport, SummaryExport


def notice_document(data: NoticeExport) -> Document:
    notice = data.notice
    paragraphs = [
        f"{cn_number(p.display_number)}、{p.text}" if p.numbered else p.text
        for p in number_paragraphs(data.paragraphs)
    ]
    recipients = "、".join(org.name for org in data.recipients)
    issuer = notice.issuer_name or (notice.issuer.name if notice.issuer else "")
    body = NoticeBody(
        doc_number=notice.doc_number,
        issuer_mark=issuer,
        title=one_line(notice.title),
        recipients=f"{recipients}：" if recipients else "",
        paragraphs=paragraphs,
        attachment_titles=[one_line(a.attachment.title) for a in data.attachments],
        issuer_name=issuer,
        # GB/T 9704-2012: 成文日期 and 版记 print only when the document has them; a date is
        # never borrowed from the other (seed 000 has neither, seed 001 only the 印发日期).
        signed_date=chinese_date(notice.signed_date),
        copy_to=notice.copy_to,
        printed_by=(notice.printed_by or issuer) if notice.printed_date else notice.printed_by,
        printed_date=chinese_date(notice.printed_date),
    )
    parts: list = [body]
    for index, item in enumerate(data.attachments, 1):
        heading = f"附件{index}："
        grids: list = []
        if item.allocation is not None:
            grids = [allocation_grid(item.allocation)]
        elif item.target is not None:
            grids = table_grids(item.target)
        if not grids:
            parts.append(
                Placeholder(
                    heading,
                    one_line(item.attachment.title),
                    "（本附件为上级文件所附表格，见上级来文。）",
                )
            )
            continue
        grids[0].heading = heading
        for grid in grids:
            if isinstance(grid, Grid):
                grid.sheet_name = f"附件{index}"
        parts.extend(grids)
    return Document(
        title=body.title,
        filename=safe_filename(f"{notice.doc_number}_{notice.title}"),
        parts=parts,
    )


def department_document(data: DepartmentExport, progress=None) -> Document:
    org = data.organisation
    title = f"{data.year}年部门预算绩效文本"
    parts: list = [
        Cover(
            organisation=org.name,
            title=title,
            draft=data.is_draft,
            compiled_by=f"{org.name}编制",
            reviewed_by=f"{data.reviewer.name}审核" if data.reviewer else "",
        )
    ]
    entries: list[TocEntry] = []
    body: list = []
    if data.department is not None:
        body.append(PartTitle("第一部分", "部门整体绩效目标", "part-1"))
        entries.append(TocEntry("第一部分 部门整体绩效目标", "part-1", 1))
        for part in table_grids(data.department):
            if isinstance(part, Narrative):
                for heading, _, anchor in part.sections:
                    entries.append(TocEntry(heading, anchor, 2))
            else:
                # The declaration form; the indicator grid after it has its own anchor.
                part.anchor = part.anchor or "dept-table"
                entries.append(TocEntry(part.title, part.anchor, 2))
            body.append(part)
    if data.projects:
        body.append(PartTitle("第二部分", "预算项目绩效目标", "part-2"))
        entries.append(TocEntry("第二部分 预算项目绩效目标", "part-2", 1))
    for index, item in enumerate(data.projects, 1):
        [grid] = stamped([dept_project_grid(item)], item)
        number = item.table.sequence or index
        grid.heading = f"{number}、{grid.title}"
        grid.anchor = f"project-{item.table.pk}"
        grid.sheet_name = f"{number} {item.table.project_name}"
        entries.append(TocEntry(grid.heading, grid.anchor, 2))
        body.append(grid)
        if progress:
            progress(index, len(data.projects))
    parts.append(Toc(entries))
    parts.extend(body)
    return Document(
        title=f"{org.name}{title}", filename=safe_filename(f"{org.name}_{title}"), parts=parts
    )


def summary_document(data: SummaryExport) -> Document:
    grids = summary_grids(data)
    return Document(
        title=grids[0].title,
        filename=safe_filename(f"{data.organisation.name}_{grids[0].title}"),
        parts=grids,
    )
