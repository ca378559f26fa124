"""popqa.synth"""
