"""The Dataspace Protocol 2025-1 in one place: its messages typed per section (``catalog``, ``negotiation``,
``transfer``, on the shared wire basics of ``messages``) with each process's transition table (``machine``); the
skeleton both processes follow (``process``); the outbox that sends their messages (``outbox``); the client every
call to another connector goes through (``peer``); and the limit on unsolicited messages (``ratelimit``)."""
