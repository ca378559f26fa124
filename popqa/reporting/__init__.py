"""popqa.reporting"""
