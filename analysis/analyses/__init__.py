"""Analyses of delayed discharge (seed 000, Region Västerbotten's manual and its Bilaga 1).

When a kommun's average ready days in a month exceed its agreement's threshold, an analysis
opens for the episodes of that month with 3 or more ready days. Each organisation that had a
patient fills its column of the checklist; the processledare adds improvement actions, follows
them up and closes the analysis with a summary; the PDF carries it all.

Modules: ``models`` (the tables), ``checklist`` (Bilaga 1's rows and what the event log fills
in, pure), ``access`` (who sees which analyses, patients and columns: the one read path),
``services`` (every write), ``trigger`` (the analyses the monthly statistics call for, and the
notices), ``pdf`` (WeasyPrint), ``forms``, ``views`` and ``urls`` (the pages), ``context`` (menu
and start-page notices).
"""
