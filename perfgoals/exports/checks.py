"""System checks for what fast, correct PDF export needs from the operating system.

WeasyPrint subsets every embedded font on every render with the system's libharfbuzz-subset;
without it WeasyPrint falls back to fontTools (~10 s per table instead of ~0.2 s). The working
fonts (fonts.py) are cut with uharfbuzz's bundled HarfBuzz and do not need it. Without a CJK
font the PDF prints empty boxes. Both are Debian packages installed by
scripts/ensure-system-deps.
"""

import ctypes.util

from django.core.checks import Warning, register

from perfgoals.exports import fonts


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint's fast subsetting path can load the system library."""
    return ctypes.util.find_library("harfbuzz-subset") is not None


def cjk_font_families() -> list[str]:
    output = fonts.fontconfig("fc-list", ":lang=zh", "family")
    return [line.strip() for line in output.splitlines() if line.strip()]


@register()
def check_pdf_dependencies(app_configs=None, **kwargs):
    warnings = []
    if not harfbuzz_subset_available():
        warnings.append(
            Warning(
                "未找到 libharfbuzz-subset：PDF 导出将改用慢速字体子集化（每张表约 10 秒）。",
                hint="运行 scripts/ensure-system-deps，或 apt-get install libharfbuzz-subset0。",
                id="exports.W001",
            )
        )
    if not cjk_font_families():
        warnings.append(
            Warning(
                "未找到中文字体（fc-list :lang=zh 无结果）：导出的 PDF 将无法显示中文。",
                hint="运行 scripts/ensure-system-deps，或 apt-get install fonts-noto-cjk。",
                id="exports.W002",
            )
        )
    else:
        built = fonts.working_fonts()
        missing = sorted({face.system_family for face in fonts.FACES if face.slug not in built})
        if missing:
            warnings.append(
                Warning(
                    f"无法生成 PDF 用的精简中文字体（{'、'.join(missing)}）："
                    "导出仍可进行，但较慢、文件较大。",
                    hint="查看日志中 perfgoals.exports.fonts 的错误；确认已安装 fonts-noto-cjk，"
                    f"且目录 {fonts.font_dir()} 可写。",
                    id="exports.W003",
                )
            )
    return warnings
