"""popqa.linkage"""
