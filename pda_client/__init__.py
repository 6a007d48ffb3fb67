"""pda_client"""
