"""The project's own tooling: its servers started on free ports of 127.0.0.1, waited for and stopped.

processes  free ports, starting a process with its log, waiting for a URL, stopping process groups
bot        the action server and the Rasa server of this bot (`running_bot`), their commands and
           endpoints
web_stack  the web chat: action server, Rasa server (socket.io + REST) and the page's server

scripts/ (entry points), bench/, cluster/ and the tests use it.
"""
