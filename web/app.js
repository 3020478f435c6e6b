/* The chat page: mounts the rasa-webchat widget on Rasa's socket.io channel, makes it usable with
 * a keyboard and a screen reader, draws the assessment as a card (the `card` the socket.io channel
 * sends beside the payload, channels/webchat_socketio.py) and raises the emergency banner the
 * moment an emergency payload arrives.
 *
 * Everything is rendered with React elements or textContent: text from the person, the bot or
 * the payload is never parsed as HTML.
 */
(function () {
  'use strict';

  var config = window.TRIAGE_CONFIG || {};
  var knowledge = config.knowledge || {};
  var urgency = knowledge.urgency || {};
  var redFlagNames = knowledge.red_flags || {};
  var React = window.React;
  var h = React.createElement;
  var EMERGENCIES = ['emergency', 'emergency_ambulance'];

  function list(items) {
    return Array.isArray(items) ? items.filter(function (item) { return typeof item === 'string'; }) : [];
  }

  function percent(score) {
    var value = Number(score);
    return isFinite(value) ? Math.round(value * 100) + '%' : '';
  }

  /* The card's words: the server's `card` (channels/render.py), or, for a payload without one, the
   * level and its advice from the knowledge base. */
  function cardOf(message) {
    var assessment = message.assessment || {};
    if (message.card && typeof message.card === 'object') return message.card;
    var level = urgency[assessment.triage] || {};
    var emergency = EMERGENCIES.indexOf(assessment.triage) >= 0 || !level.label;
    return {
      title: emergency ? '\u26A0\uFE0F This may be a medical emergency' : 'Your assessment',
      triage: level.label ? assessment.triage : '',
      emergency: emergency,
      warning: emergency || list(assessment.red_flags).length > 0,
      level: level.label || 'Talk to a doctor',
      advice: level.advice || 'If you think this may be an emergency, call 911 now. Otherwise, talk to your doctor.',
      heard: list(assessment.red_flags).map(function (id) { return redFlagNames[id] || id.replace(/_/g, ' '); }),
      causes: [],
      notes: [],
      causes_note: '',
      why: [],
      disclaimer: knowledge.not_a_diagnosis || ''
    };
  }

  // ------------------------------------------------------------------ the page banner
  var banner = {
    // The latest assessment decides: an emergency shows the banner, a later calmer one (after
    // "start over") hides it.
    update: function (message) {
      var element = document.getElementById('emergency-banner');
      if (!element || !message || typeof message.assessment !== 'object') return;
      var card = cardOf(message);
      if (!card.emergency) {
        element.hidden = true;
        document.body.classList.remove('has-emergency');
        return;
      }
      var heard = list(card.heard);
      element.querySelector('[data-field="title"]').textContent = '\u26A0 ' + card.level;
      element.querySelector('[data-field="advice"]').textContent = card.advice;
      element.querySelector('[data-field="heard"]').textContent =
        heard.length ? 'Because you told me about: ' + heard.join('; ') + '.' : '';
      element.className = 'emergency-banner triage-' + (card.triage || 'emergency_ambulance');
      element.hidden = false;
      document.body.classList.add('has-emergency');
    }
  };

  // ------------------------------------------------------------------ the card
  function causeItem(cause, index) {
    var fits = list(cause.fits);
    var against = list(cause.against);
    return h('li', { key: String(index), className: 'cause' },
      h('h4', { className: 'cause__head' },
        h('span', { className: 'cause__name' }, String(cause.name || '')),
        ' ',
        h('span', { className: 'cause__score' }, '(' + cause.percent + '%)')),
      cause.description ? h('p', { className: 'cause__description' }, cause.description) : null,
      fits.length ? h('p', { className: 'cause__why cause__why--for' },
        h('span', { className: 'cause__why-label' }, 'Fits: '), fits.join(', ')) : null,
      against.length ? h('p', { className: 'cause__why cause__why--against' },
        h('span', { className: 'cause__why-label' }, 'Against: '), against.join(', ')) : null,
      cause.urgency ? h('p', { className: 'cause__urgency' },
        h('span', { className: 'cause__why-label' }, 'Usually: '), cause.urgency) : null);
  }

  function cardElement(message) {
    var card = cardOf(message);
    var causes = Array.isArray(card.causes) ? card.causes : [];
    var heard = list(card.heard);
    var triage = card.triage || 'emergency_ambulance';
    var children = [
      h('h2', { key: 'title', className: 'card__title' }, card.title),
      h('div', { key: 'level', className: 'card__level triage-' + triage },
        h('span', { className: 'card__level-kicker' }, 'What to do'),
        h('span', { className: 'card__level-label' }, card.level)),
      h('p', { key: 'advice', className: 'card__advice' }, card.advice)
    ];
    list(card.why).forEach(function (reason, index) {
      children.push(h('p', { key: 'why-' + index, className: 'card__why' },
        h('span', { className: 'cause__why-label' }, 'Why: '), reason));
    });
    if (heard.length) {
      children.push(h('div', { key: 'flags', className: 'card__flags' },
        h('h3', { className: 'card__section-title' }, 'Warning signs you mentioned'),
        h('ul', null, heard.map(function (name) { return h('li', { key: name }, name); }))));
    }
    if (causes.length) {
      children.push(h('div', { key: 'causes', className: 'card__causes' },
        h('h3', { className: 'card__section-title' }, card.causes_title || 'What your answers fit best (most likely first)'),
        h('ol', { className: 'causes' }, causes.map(causeItem)),
        card.causes_note ? h('p', { className: 'card__causes-note' }, card.causes_note) : null));
    }
    list(card.notes).forEach(function (note, index) {
      children.push(h('p', { key: 'note-' + index, className: 'card__home-care' }, note));
    });
    if (card.disclaimer) {
      children.push(h('p', { key: 'disclaimer', className: 'card__note' }, card.disclaimer));
    }
    return h('div', {
      className: 'assessment-card' + (card.emergency ? ' assessment-card--emergency' : ''),
      'data-triage': card.triage || ''
    }, children);
  }

  // The widget renders every bot message that is not text, buttons or media through this
  // component, with the message's keys as props (here: `assessment` and `card`). A class
  // component, so that it runs with the widget's own React renderer (no hooks).
  function AssessmentMessage(props) {
    React.Component.call(this, props);
  }
  AssessmentMessage.prototype = Object.create(React.Component.prototype);
  AssessmentMessage.prototype.constructor = AssessmentMessage;
  AssessmentMessage.prototype.message = function () {
    var assessment = this.props.assessment;
    return assessment && typeof assessment === 'object' ? this.props : null;
  };
  AssessmentMessage.prototype.componentDidMount = function () {
    // A conversation restored after a reload raises its banner here (no socket event then).
    var message = this.message();
    if (message) banner.update(message);
  };
  AssessmentMessage.prototype.render = function () {
    var message = this.message();
    if (!message) return null; // a custom message this page does not know
    return h('div', { className: 'assessment-message' }, cardElement(message));
  };

  // ------------------------------------------------------------------ keyboard and screen readers
  /* The widget's markup, completed where it falls short: the conversation is a polite live log,
   * the text box and the send button have names, the answer buttons (divs in the widget) are
   * reached with Tab and pressed with Enter or Space. Who said what is in the stylesheet
   * (visually hidden "You said:" / "The assistant said:" before each message). */
  var access = {
    apply: function (root) {
      var log = root.querySelector('.rw-messages-container');
      if (log && log.getAttribute('role') !== 'log') {
        log.setAttribute('role', 'log');
        log.setAttribute('aria-live', 'polite');
        log.setAttribute('aria-label', 'Conversation');
        log.setAttribute('tabindex', '0'); // it scrolls: the keyboard must reach it
        access.keepAtBottom(log);
      }
      var input = root.querySelector('.rw-new-message');
      if (input && !input.hasAttribute('aria-label')) {
        input.setAttribute('aria-label', 'Your message');
      }
      var send = root.querySelector('.rw-send');
      if (send && !send.hasAttribute('aria-label')) {
        send.setAttribute('aria-label', 'Send');
        var icon = send.querySelector('svg');
        if (icon) icon.setAttribute('aria-hidden', 'true');
      }
      Array.prototype.forEach.call(root.querySelectorAll('.rw-reply:not([role])'), function (reply) {
        reply.setAttribute('role', 'button');
        reply.setAttribute('tabindex', '0');
      });
      Array.prototype.forEach.call(root.querySelectorAll('.rw-typing-indication:not([aria-hidden])'), function (dots) {
        dots.setAttribute('aria-hidden', 'true');
      });
      if (root.querySelector('.rw-client')) disclaimer.collapse();
    },
    // When the window changes size (a phone's keyboard opens, the phone turns), the latest
    // message stays in view if it was.
    keepAtBottom: function (log) {
      var atBottom = true;
      log.addEventListener('scroll', function () {
        atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
      });
      window.addEventListener('resize', function () {
        if (atBottom) log.scrollTop = log.scrollHeight;
      });
    },
    onKey: function (event) {
      var reply = event.target.closest && event.target.closest('.rw-reply[role="button"]');
      if (!reply || (event.key !== 'Enter' && event.key !== ' ')) return;
      event.preventDefault();
      reply.click();
      // The buttons go once one is chosen: the keyboard goes on from the text box.
      window.setTimeout(function () {
        var input = document.querySelector('#chat .rw-new-message');
        if (input && !document.activeElement.closest('.rw-replies')) input.focus();
      }, 0);
    },
    watch: function (root) {
      access.apply(root);
      new MutationObserver(function () { access.apply(root); }).observe(root, { childList: true, subtree: true });
      root.addEventListener('keydown', access.onKey);
    }
  };

  // ------------------------------------------------------------------ the disclaimer
  // In full before the conversation; one line once the person has written (a button opens it).
  var disclaimer = {
    collapse: function () {
      var section = document.getElementById('disclaimer');
      if (!section || section.classList.contains('is-collapsed') || section.dataset.opened) return;
      section.classList.add('is-collapsed');
      disclaimer.show(false);
    },
    show: function (open) {
      var full = document.getElementById('disclaimer-full');
      var toggle = document.getElementById('disclaimer-toggle');
      if (!full || !toggle) return;
      full.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
      toggle.textContent = open ? 'Less' : 'More';
    },
    init: function () {
      var toggle = document.getElementById('disclaimer-toggle');
      if (!toggle) return;
      toggle.addEventListener('click', function () {
        var section = document.getElementById('disclaimer');
        section.dataset.opened = 'yes';
        disclaimer.show(toggle.getAttribute('aria-expanded') !== 'true');
      });
    }
  };

  // ------------------------------------------------------------------ the widget
  function start() {
    var element = document.getElementById('chat');
    if (!window.WebChat || !element) return;
    disclaimer.init();
    access.watch(element);
    window.WebChat.default({
      socketUrl: config.socketUrl,
      socketPath: config.socketPath || '/socket.io/',
      initPayload: config.initPayload || '/greet',
      embedded: true,
      withRules: false,
      hideWhenNotConnected: false,
      showCloseButton: false,
      connectingText: 'Connecting to the assistant\u2026',
      title: 'Leg numbness assistant',
      inputTextFieldHint: 'Describe what you feel in your legs\u2026',
      showMessageDate: false,
      // sessionStorage: a reload keeps the conversation, closing the tab forgets it on this device.
      params: { storage: 'session' },
      customComponent: AssessmentMessage,
      // The banner goes up as the payload arrives, before the widget has shown the turn's messages.
      onSocketEvent: {
        bot_uttered: function (message) {
          if (message && typeof message.assessment === 'object') banner.update(message);
        }
      },
      customMessageDelay: function (message) {
        return Math.min(900, Math.max(250, String(message || '').length * 8));
      }
    }, element);
  }

  start();
})();
