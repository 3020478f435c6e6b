/* The chat page: mounts the rasa-webchat widget on Rasa's socket.io channel and renders the
 * assessment payload ({"assessment": {...}}, see README) as a card through the widget's
 * customComponent hook; an emergency also raises the banner at the top of the page.
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

  function levelOf(id) {
    var level = urgency[id] || {};
    return {
      id: id,
      label: level.label || String(id || 'unknown').replace(/_/g, ' '),
      advice: level.advice || ''
    };
  }

  function redFlagName(id) {
    return redFlagNames[id] || String(id).replace(/_/g, ' ');
  }

  function isEmergency(assessment) {
    return EMERGENCIES.indexOf(assessment.triage) >= 0;
  }

  function percent(score) {
    var value = Number(score);
    return isFinite(value) ? Math.round(value * 100) + '%' : '';
  }

  function list(items) {
    return Array.isArray(items) ? items.filter(function (item) { return typeof item === 'string'; }) : [];
  }

  // ------------------------------------------------------------------ the page banner
  var banner = {
    element: function () { return document.getElementById('emergency-banner'); },
    // The latest assessment decides: an emergency shows the banner, a later calmer one (after
    // "start over") hides it.
    update: function (assessment) {
      var element = banner.element();
      if (!element) return;
      if (!isEmergency(assessment)) {
        element.hidden = true;
        document.body.classList.remove('has-emergency');
        return;
      }
      var level = levelOf(assessment.triage);
      var heard = list(assessment.red_flags).map(redFlagName);
      element.querySelector('[data-field="title"]').textContent = '\u26A0 ' + level.label;
      element.querySelector('[data-field="advice"]').textContent = level.advice;
      element.querySelector('[data-field="heard"]').textContent =
        heard.length ? 'Because you told me about: ' + heard.join('; ') + '.' : '';
      element.className = 'emergency-banner triage-' + level.id;
      element.hidden = false;
      document.body.classList.add('has-emergency');
    }
  };

  // ------------------------------------------------------------------ the card
  function causeItem(cause, index) {
    var why = cause.why || {};
    var fits = list(why['for']);
    var against = list(why.against);
    var level = levelOf(cause.urgency);
    return h('li', { key: String(cause.id || index), className: 'cause' },
      h('div', { className: 'cause__head' },
        h('span', { className: 'cause__name' }, String(cause.name || cause.id || '')),
        h('span', { className: 'cause__score', title: "share of the ranking" }, percent(cause.score))),
      h('span', { className: 'badge triage-' + level.id }, level.label),
      fits.length ? h('p', { className: 'cause__why cause__why--for' },
        h('span', { className: 'cause__why-label' }, 'Fits: '), fits.join(', ')) : null,
      against.length ? h('p', { className: 'cause__why cause__why--against' },
        h('span', { className: 'cause__why-label' }, 'Against: '), against.join(', ')) : null);
  }

  function card(assessment) {
    var level = levelOf(assessment.triage);
    var emergency = isEmergency(assessment);
    var causes = Array.isArray(assessment.causes) ? assessment.causes : [];
    var heard = list(assessment.red_flags).map(redFlagName);
    var children = [
      h('div', { key: 'level', className: 'card__level triage-' + level.id },
        h('span', { className: 'card__level-kicker' }, emergency ? '\u26A0 Emergency' : 'What to do'),
        h('span', { className: 'card__level-label' }, level.label)),
      h('p', { key: 'advice', className: 'card__advice' }, level.advice)
    ];
    if (heard.length) {
      children.push(h('div', { key: 'flags', className: 'card__flags' },
        h('p', { className: 'card__section-title' }, 'Serious signs you told me about'),
        h('ul', null, heard.map(function (name) { return h('li', { key: name }, name); }))));
    }
    if (causes.length) {
      children.push(h('div', { key: 'causes', className: 'card__causes' },
        h('p', { className: 'card__section-title' }, 'What your answers fit best (most likely first)'),
        h('ol', { className: 'causes' }, causes.map(causeItem))));
    }
    if (knowledge.not_a_diagnosis) {
      children.push(h('p', { key: 'note', className: 'card__note' }, knowledge.not_a_diagnosis));
    }
    return h('section', {
      className: 'assessment-card' + (emergency ? ' assessment-card--emergency' : ''),
      'data-triage': level.id,
      role: emergency ? 'alert' : 'region',
      'aria-label': emergency ? 'Emergency' : 'Assessment'
    }, children);
  }

  // The widget renders every bot message that is not text, buttons or media through this
  // component, with the message's keys as props (here: `assessment`). A class component, so
  // that it runs with the widget's own React renderer (React.Component only, no hooks).
  function AssessmentMessage(props) {
    React.Component.call(this, props);
  }
  AssessmentMessage.prototype = Object.create(React.Component.prototype);
  AssessmentMessage.prototype.constructor = AssessmentMessage;
  AssessmentMessage.prototype.assessment = function () {
    var assessment = this.props.assessment;
    return assessment && typeof assessment === 'object' ? assessment : null;
  };
  AssessmentMessage.prototype.componentDidMount = function () {
    var assessment = this.assessment();
    if (assessment) banner.update(assessment);
  };
  AssessmentMessage.prototype.render = function () {
    var assessment = this.assessment();
    if (!assessment) return null; // a custom message this page does not know
    return h('div', { className: 'assessment-message' }, card(assessment));
  };

  // ------------------------------------------------------------------ the widget
  function start() {
    var element = document.getElementById('chat');
    if (!window.WebChat || !element) return;
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
      subtitle: 'Information only \u2014 not a doctor',
      inputTextFieldHint: 'Describe what you feel in your legs\u2026',
      showMessageDate: false,
      // sessionStorage: a reload keeps the conversation, closing the tab forgets it on this device.
      params: { storage: 'session' },
      customComponent: AssessmentMessage,
      customMessageDelay: function (message) {
        return Math.min(1200, Math.max(300, String(message || '').length * 10));
      }
    }, element);
  }

  start();
})();
