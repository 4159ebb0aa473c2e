"""What the two synthetic surveys (:mod:`toolkit.sample`, :mod:`toolkit.example_forms`) share.

Pools of fake first and last names, and the spread of a student's traits around the profile means.
"""

from __future__ import annotations

_TRAIT_SD = 0.5  # spread of a student's traits around the profile means

FIRST = (
    "Avery Blake Carmen Dana Eli Farah Gus Hana Ivo Jada Kai Lena Milo Nia Omar Pia Quinn Rafa "
    "Sami Tove Uma Vik Wren Xan Yara Zev Ada Bo Cyd Dex Ema Fin Gia Hal Ines Jon Kit Lux Max Noor"
).split()
LAST = (
    "Testwood Sampleton Fakely Mockridge Demoss Placeholt Dummond Exampley Synthby Notreal "
    "Fictor Imaginez Madeup Pretendo Stubbs Fauxley Inventa Trialson Proxmire Specimen"
).split()
