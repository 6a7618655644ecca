"""The words the demo data and the benchmark share: people's names, places and streets,
admission reasons, the answers kommuner and hälsocentraler give, hospitals by region.

Plain tuples, no Django: ``demo/`` draws Region Västerbotten's history from them through the
services; the benchmark's generator (``bench/country.py``, ``plan.py``, ``events.py``) picks from
them in bulk SQL. Changing a list changes the data of both: the demo's draws depend on the
lists' order and length, and the benchmark's ``GENERATOR_VERSION`` should then be bumped.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- People ---------------------------------------------------------------------------------------

WOMEN_OLD = (
    "Hildur", "Margareta", "Elisabeth", "Eva", "Birgitta", "Kerstin", "Marianne", "Ingrid",
    "Gunilla", "Karin", "Britt", "Ulla", "Inger", "Barbro", "Gun", "Siv", "Maj", "Elsa",
    "Astrid", "Gunnel", "Solveig", "Berit", "Majvor", "Ingegerd", "Agneta", "Märta", "Signe",
    "Aina", "Greta", "Rut",
)  # fmt: skip
MEN_OLD = (
    "Lars", "Karl", "Erik", "Per", "Nils", "Jan", "Bengt", "Sven", "Gunnar", "Olof", "Bo",
    "Lennart", "Göran", "Stig", "Rolf", "Kjell", "Åke", "Sture", "Gösta", "Ture", "Evert",
    "Helge", "Bertil", "Ingvar", "Rune", "Leif", "Hans", "Tore", "Arne", "Ragnar",
)  # fmt: skip
WOMEN_YOUNG = (
    "Sara", "Emma", "Linnea", "Maria", "Elin", "Johanna", "Hanna", "Frida", "Malin", "Sofia",
    "Ida", "Jenny", "Camilla", "Therese", "Lina",
)  # fmt: skip
MEN_YOUNG = (
    "Johan", "Andreas", "Mattias", "Jonas", "Fredrik", "Daniel", "Marcus", "Niklas", "Viktor",
    "Simon", "Henrik", "Oskar", "Robin", "Emil", "Anton",
)  # fmt: skip
SURNAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Lindberg", "Lundberg", "Lundgren", "Holmgren", "Sjöberg",
    "Marklund", "Lindström", "Öberg", "Nordin", "Burman", "Boström", "Lidström", "Wikström",
    "Westerlund", "Hedlund", "Sandström", "Granlund", "Berglund", "Forsberg", "Nyström",
    "Åström", "Lundqvist", "Strömberg", "Nordström", "Öhman", "Lindgren", "Hällgren",
    "Vikström", "Brännström", "Grahn", "Stenlund", "Hägglund", "Bergström", "Sehlstedt",
    "Hörnlund", "Nygren", "Jonsson", "Sundqvist", "Lundmark", "Norberg",
)  # fmt: skip

# --- Places: Region Västerbotten's kommuner (by code), their towns and streets --------------------


@dataclass(frozen=True)
class Place:
    town: str
    postcode: str  # the first three digits; the last two are drawn
    streets: tuple[str, ...]


PLACES: dict[str, tuple[Place, ...]] = {
    "2480": (
        Place(
            "Umeå",
            "903",
            ("Storgatan", "Kungsgatan", "Rådhusesplanaden", "Skolgatan", "Västra Esplanaden"),
        ),
        Place("Umeå", "906", ("Ersbodavägen", "Gimonäsvägen", "Släggvägen", "Kolvägen")),
        Place("Umeå", "907", ("Ålidhemsgatan", "Tvistevägen", "Historiegränd", "Mariehemsvägen")),
        Place("Holmsund", "913", ("Kajvägen", "Strandvägen", "Jägarvägen")),
        Place("Sävar", "918", ("Kyrkvägen", "Sävarvägen")),
        Place("Hörnefors", "914", ("Bruksvägen", "Skolvägen")),
    ),
    "2482": (
        Place("Skellefteå", "931", ("Kanalgatan", "Nygatan", "Storgatan", "Viktoriagatan")),
        Place("Skellefteå", "931", ("Morö backe", "Klockarbergsvägen", "Mossgatan")),
        Place("Skelleftehamn", "932", ("Hamnvägen", "Rönnskärsvägen")),
        Place("Bureå", "932", ("Storvägen", "Burevägen")),
        Place("Ursviken", "932", ("Örnvägen", "Lotsvägen")),
    ),
    "2481": (
        Place("Lycksele", "921", ("Storgatan", "Köpmangatan", "Skolgatan", "Hedvägen")),
        Place("Kristineberg", "921", ("Gruvvägen",)),
    ),
    "2460": (Place("Vännäs", "911", ("Storgatan", "Järnvägsgatan")),),
    "2462": (Place("Vilhelmina", "912", ("Storgatan", "Volgsjövägen", "Tallvägen")),),
    "2401": (Place("Nordmaling", "914", ("Kyrkovägen", "Centrumvägen")),),
    "2409": (Place("Robertsfors", "915", ("Storgatan", "Bruksgatan")),),
    "2421": (Place("Storuman", "923", ("Blå vägen", "Skolgatan")),),
    "2404": (Place("Vindeln", "922", ("Granvägen", "Kungsvägen")),),
    "2417": (Place("Norsjö", "935", ("Storgatan", "Skolgatan")),),
    "2418": (Place("Malå", "930", ("Storgatan", "Tjärnvägen")),),
    "2425": (Place("Dorotea", "917", ("Storgatan", "Fjällvägen")),),
    "2463": (Place("Åsele", "919", ("Storgatan", "Torggatan")),),
    "2422": (Place("Sorsele", "924", ("Storgatan", "Vindelvägen")),),
    "2403": (Place("Bjurholm", "916", ("Storgatan", "Örnviksvägen")),),
}

HOSPITALS_BY_REGION: dict[str, tuple[str, ...]] = {
    "01": (
        "Karolinska universitetssjukhuset Solna",
        "Karolinska universitetssjukhuset Huddinge",
        "Södersjukhuset",
        "Danderyds sjukhus",
        "S:t Görans sjukhus",
        "Södertälje sjukhus",
        "Norrtälje sjukhus",
    ),
    "03": ("Akademiska sjukhuset", "Lasarettet i Enköping"),
    "04": ("Mälarsjukhuset", "Nyköpings lasarett", "Kullbergska sjukhuset"),
    "05": ("Universitetssjukhuset i Linköping", "Vrinnevisjukhuset", "Lasarettet i Motala"),
    "06": ("Länssjukhuset Ryhov", "Höglandssjukhuset", "Värnamo sjukhus"),
    "07": ("Centrallasarettet Växjö", "Ljungby lasarett"),
    "08": ("Länssjukhuset i Kalmar", "Västerviks sjukhus"),
    "09": ("Visby lasarett",),
    "10": ("Blekingesjukhuset Karlskrona", "Blekingesjukhuset Karlshamn"),
    "12": (
        "Skånes universitetssjukhus Lund",
        "Skånes universitetssjukhus Malmö",
        "Helsingborgs lasarett",
        "Centralsjukhuset Kristianstad",
        "Ystads lasarett",
        "Hässleholms sjukhus",
        "Trelleborgs lasarett",
        "Ängelholms sjukhus",
    ),
    "13": ("Hallands sjukhus Halmstad", "Hallands sjukhus Varberg", "Hallands sjukhus Kungsbacka"),
    "14": (
        "Sahlgrenska universitetssjukhuset",
        "Östra sjukhuset",
        "Mölndals sjukhus",
        "NÄL Trollhättan",
        "Södra Älvsborgs sjukhus",
        "Skaraborgs sjukhus Skövde",
        "Alingsås lasarett",
        "Kungälvs sjukhus",
    ),
    "17": ("Centralsjukhuset Karlstad", "Arvika sjukhus", "Torsby sjukhus"),
    "18": ("Universitetssjukhuset Örebro", "Karlskoga lasarett", "Lindesbergs lasarett"),
    "19": ("Västmanlands sjukhus Västerås", "Köpings sjukhus"),
    "20": ("Falu lasarett", "Mora lasarett", "Avesta lasarett"),
    "21": ("Gävle sjukhus", "Hudiksvalls sjukhus", "Bollnäs sjukhus"),
    "22": ("Sundsvalls sjukhus", "Örnsköldsviks sjukhus", "Sollefteå sjukhus"),
    "23": ("Östersunds sjukhus",),
    "24": ("Norrlands universitetssjukhus", "Skellefteå lasarett", "Lycksele lasarett"),
    "25": ("Sunderby sjukhus", "Piteå älvdals sjukhus", "Gällivare sjukhus", "Kalix sjukhus"),
}

# --- Stays: admission reasons by speciality, the recipients' answers ------------------------------

REASONS: dict[str, tuple[str, ...]] = {
    "medicine": (
        "Pneumoni", "Hjärtsvikt, försämring", "KOL-exacerbation", "Urinvägsinfektion med "
        "förvirring", "Förmaksflimmer med snabb kammarfrekvens", "Nedsatt allmäntillstånd",
        "Dehydrering", "Erysipelas", "Anemi", "Diabetes, dålig metabol kontroll", "Covid-19",
    ),
    "geriatrics": (
        "Fall i hemmet, nedsatt allmäntillstånd", "Förvirringstillstånd", "Urinvägsinfektion",
        "Pneumoni hos sköra äldre", "Yrsel och upprepade fall", "Demens med BPSD, försämring",
        "Trycksår och nutritionsproblem",
    ),
    "orthopaedics": (
        "Höftledsfraktur", "Kotkompression efter fall", "Handledsfraktur, nedsatt ADL",
        "Knäprotesoperation", "Bäckenfraktur", "Axelfraktur",
    ),
    "surgery": ("Ileus", "Gallstensanfall", "Divertikulit", "Tarmresektion", "Bråckoperation"),
    "stroke": ("Hjärninfarkt", "Hjärnblödning", "TIA med kvarstående yrsel", "Hjärninfarkt, afasi"),
    "psychiatry": (
        "Depression med suicidtankar", "Psykos", "Bipolär sjukdom, manisk episod",
        "Ångestsyndrom, nedsatt funktion", "Schizofreni, försämring",
    ),
}  # fmt: skip


KOMMUN_SERVICES = (
    "Hemtjänst morgon och kväll", "Hemtjänst 3 ggr/dag och trygghetslarm", "Trygghetslarm",
    "Hemsjukvård, läkemedelsövertagande", "Matdistribution och städ", "Dagverksamhet 2 dgr/v",
    "Hemtjänst och hemsjukvård, såromläggning", "Boendestöd",
)  # fmt: skip
HC_SERVICES = (
    "Diabetesmottagning", "Distriktssköterska, såromläggning", "Astma/KOL-mottagning",
    "Hjärtsviktsmottagning", "Läkemedelsgenomgång planerad", "Psykosocialt team",
)  # fmt: skip
SOCIAL_NETWORK = (
    "Bor med make", "Bor med maka", "Ensamboende, dotter i närheten", "Ensamboende, son hjälper "
    "med inköp", "Ensamboende, inga anhöriga i närheten", "Sambo, barn på annan ort",
    "Ensamboende, god man",
)  # fmt: skip
AIDS = (
    "Rollator", "Rullstol och rollator", "Duschpall, toalettförhöjning", "Inga", "Hemvårdssäng",
    "Rollator, trygghetslarm", "Inkontinenshjälpmedel",
)  # fmt: skip
WITHDRAWAL_REASONS = (
    "Feber, infektionsprover tas", "Försämrad andning", "Nytillkommen förvirring",
    "Fall på avdelningen, röntgen planerad",
)  # fmt: skip


# --- Flat lists (the benchmark picks uniformly from these) ----------------------------------------

FIRST_NAMES: tuple[str, ...] = tuple(dict.fromkeys(WOMEN_OLD + MEN_OLD + WOMEN_YOUNG + MEN_YOUNG))
STREETS: tuple[str, ...] = tuple(
    dict.fromkeys(street for places in PLACES.values() for p in places for street in p.streets)
)
ADMISSION_REASONS: tuple[str, ...] = tuple(
    dict.fromkeys(reason for reasons in REASONS.values() for reason in reasons)
)
