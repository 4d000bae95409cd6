"""Loading the company's existing Excel tables as history (issue 12): ``salesflow import``.

A workbook row is read into cells by field (``reader``; headers matched by their accepted
spellings, ``cells.normalize``), turned into ONE import command of the table's owner
(``TableImport.to_command``; a refusal names the row, the column and the reason in both
languages), and sent through the command path (group commit). Each command's id comes from the
file's digest, sheet and row, and the record's id from its number, so importing a file twice
stores nothing the second time.
"""
