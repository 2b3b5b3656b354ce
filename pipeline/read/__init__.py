"""Read stage: workbook bytes → located raw cells → validated, frozen ``Case`` (or located issues)."""
