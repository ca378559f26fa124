"""popqa.scorecard"""
