"""popqa.schemas"""
