"""The project's own tooling: its servers started on free ports of 127.0.0.1, waited for and
stopped, and the simulated patients that talk to them.

processes  free ports, starting a process with its log, waiting for a URL, stopping process groups
bot        the action server and the Rasa server of this bot (`running_bot`), their commands and
           endpoints
web_stack  the web chat: action server, Rasa server (socket.io + REST) and the page's server
simulated_patient  a patient (or caregiver) answering the bot's questions as people do
vignette_scores    how a set of simulated conversations is scored against its targets

scripts/ (entry points), bench/, cluster/ and the tests use it.
"""
