"""terminals module:
in-room and in-cabin guest terminals: devices, pairing, home screen, content.
"""
