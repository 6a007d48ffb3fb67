"""Outbound: sales orders (OMS intake), allocation, waves, batch picking."""
