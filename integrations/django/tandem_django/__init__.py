"""Tandem for a Django platform: identity (proxy, jwt), the server API, webhooks, the export.

Everything here uses the standard library only (hmac, hashlib, base64, urllib), so the app
adds no dependency beyond Django itself (3.2 to 5.x).
"""
