"""Records transfer: an encrypted, signed package of a pupil's whole SEND file for their next
school, the receiving school's import and signed receipt, and the DfE Common Transfer File.

Core code with no Qt: the full-file PDF is made by the caller (sendesk.pdf) and handed in.
"""
