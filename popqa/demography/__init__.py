"""Demography: age-reporting quality (as DemoTools), rates, life tables, cohort-component projection."""
