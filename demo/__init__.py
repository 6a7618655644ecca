"""Demo data for Region Västerbotten: organisations, users, patients, 18 months of episodes.

An app above all the others, like a fixture package: it may import ``discharges``, ``payment``
and ``analysis``; nothing imports it but its management command (``seed_demo``) and the tests.
The benchmark (``bench/``) shares its words through ``demo.vocabulary``, which needs no Django.

Modules, from the words up: ``vocabulary`` (names, places, reasons, answers), ``region``
(Västerbotten's kommuner, hospitals, hälsocentraler), ``plans`` (what is planned, pure),
``planner`` and ``story`` (the regional stream and one stay's messages), ``cases`` (the four
cases of seed 001), ``organisations`` (organisations and users in the database), ``executor``
(every message through ``discharges.services``), ``seed`` (the entry points and summaries).
"""
