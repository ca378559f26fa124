"""popqa.checks"""
